package resumewire

import (
	"errors"
	"strconv"
)

// Sentinel errors of Decode. Every error Decode returns is a *DecodeError
// that unwraps to exactly one of these (errors.Is).
var (
	// ErrEmpty: a binary message of zero bytes (no kind byte).
	ErrEmpty = errors.New("resumewire: empty frame")
	// ErrUnknownKind: the first byte names no frame of this version.
	ErrUnknownKind = errors.New("resumewire: unknown frame kind")
	// ErrTruncated: the frame ends inside a field.
	ErrTruncated = errors.New("resumewire: truncated frame")
	// ErrOverflow: a uvarint longer than 10 bytes or over 2^64-1.
	ErrOverflow = errors.New("resumewire: uvarint overflows 64 bits")
	// ErrNonCanonical: a uvarint with redundant trailing zero groups
	// (e.g. 80 00 for 0). Refused so every frame has one encoding.
	ErrNonCanonical = errors.New("resumewire: non-minimal uvarint")
	// ErrTrailing: bytes after the last field of a control frame.
	ErrTrailing = errors.New("resumewire: trailing bytes after frame")
	// ErrVersion: HELLO or WELCOME with a version other than Version.
	ErrVersion = errors.New("resumewire: unsupported protocol version")
	// ErrFlags: reserved flag bits set, or flags that contradict the
	// fields (a new-session HELLO with delivered > 0).
	ErrFlags = errors.New("resumewire: invalid flags")
	// ErrZeroSeq: a data frame with seq 0 (the first seq is 1).
	ErrZeroSeq = errors.New("resumewire: data frame with seq 0")
	// ErrInvalidUTF8: a DATA_TEXT payload that is not valid UTF-8
	// (RFC 6455 §8.1 requires text to be UTF-8; close with 1007).
	ErrInvalidUTF8 = errors.New("resumewire: text payload is not valid UTF-8")
)

// DecodeError says which frame kind and byte offset a malformed frame
// failed at, and why (Err, one of the sentinels above).
type DecodeError struct {
	Kind   byte // the frame's first byte; 0 for ErrEmpty
	Offset int  // byte offset of the failing field
	Err    error
}

func (e *DecodeError) Error() string {
	s := e.Err.Error()
	if e.Err == ErrEmpty {
		return s
	}
	return s + " (" + KindName(e.Kind) + ", at byte " + strconv.Itoa(e.Offset) + ")"
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Sentinel errors of Window and Receiver.
var (
	// ErrGap: a data frame skipped a seq (receiver), or a replay needs
	// frames the sender already released (window). The session cannot be
	// continued without losing a message: close with 4504 (sender side)
	// or 1002 (receiver side).
	ErrGap = errors.New("resumewire: sequence gap")
	// ErrAckAhead: an ack or a peer's delivered counter above the last
	// seq ever sent: a peer bug or a foreign session. Close with 1002.
	ErrAckAhead = errors.New("resumewire: acknowledged a seq never sent")
	// ErrTooBig: a payload larger than the window's byte bound; it could
	// never fit, so Push refuses it at once.
	ErrTooBig = errors.New("resumewire: message larger than the window")
)

// GapError details ErrGap: the receiver wanted Want and got Got, or the
// sender was asked for frames after Want but holds only from Got on.
type GapError struct {
	Want, Got uint64
}

func (e *GapError) Error() string {
	return "resumewire: sequence gap: want seq " + strconv.FormatUint(e.Want, 10) +
		", have " + strconv.FormatUint(e.Got, 10)
}

func (e *GapError) Unwrap() error { return ErrGap }
