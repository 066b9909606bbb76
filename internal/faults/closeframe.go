package faults

import (
	"encoding/binary"
	"time"
)

// closeFrameWriteLimit bounds the frame's write when the peer reads nothing.
const closeFrameWriteLimit = 5 * time.Second

// CloseFrame sends a WebSocket close frame with code and reason (at most
// 123 bytes, RFC 6455 §5.5) straight onto the socket, then closes it
// without reading the peer's answer. It is for a connection whose
// websocket.Conn belongs to someone else (the server package's resume
// connections): the peer sees a close with that code, while the library
// sees only a dropped socket. Reading the peer's answering close frame
// would tell the library the peer closed, which for a resume session
// means the session's end (docs/resume.md, "Closing"); a dropped socket
// keeps the session, as any close the client's policy retries should.
//
// The socket is stalled first and a read in progress is interrupted, so
// the library neither writes after the frame nor reads the answer; Write
// holds a lock per call, so the frame never lands inside a frame the
// library is writing (each of its frames goes out in one flush). The
// interrupted read makes the library close the socket; that Close is held
// back until the frame is out, or the peer would see the TCP stream end
// before the close frame (a 1006 where the caller asked for code).
func (s *Socket) CloseFrame(code uint16, reason string) error {
	s.Stall()
	s.mu.Lock()
	s.framing = true
	s.mu.Unlock()
	_ = s.Conn.SetReadDeadline(time.Now())
	if len(reason) > 123 {
		reason = reason[:123]
	}
	// An unmasked server frame: FIN + opcode 8, payload length (< 126),
	// the code in network byte order, the reason.
	f := make([]byte, 4, 4+len(reason))
	f[0], f[1] = 0x88, byte(2+len(reason))
	binary.BigEndian.PutUint16(f[2:], code)
	f = append(f, reason...)
	s.wmu.Lock()
	_ = s.Conn.SetWriteDeadline(time.Now().Add(closeFrameWriteLimit))
	_, err := s.Conn.Write(f)
	s.wmu.Unlock()
	s.mu.Lock()
	s.framing = false
	s.mu.Unlock()
	if cerr := s.closeNow(); err == nil {
		err = cerr
	}
	return err
}
