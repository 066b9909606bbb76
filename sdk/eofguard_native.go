//go:build !js

package sdk

import (
	"errors"
	"io"
	"net/http"
)

// errStreamEnded is what the upgraded connection reports, instead of
// io.EOF, when the server's TCP stream ends (FIN, or a TLS close_notify)
// before a close frame. It ends the connection as 1006 (CloseError.Err
// holds it, wrapped by coder/websocket) wherever the stream stopped: at a
// frame boundary, inside a header, inside a payload.
//
// It matches neither io.EOF nor io.ErrUnexpectedEOF on purpose: both mean
// "end of message" somewhere in coder/websocket (the second with
// permessage-deflate), and nothing that ends a TCP stream early may.
var errStreamEnded = errors.New("the server ended the TCP stream before a close frame (unexpected EOF)")

// eofGuard is the upgraded connection as coder/websocket reads it, with
// io.EOF turned into errStreamEnded.
//
// Why: coder/websocket v1.8.15 hands a message cut short by the end of the
// stream to the app as if it were whole. Conn.Read (read.go:47) collects a
// message with io.ReadAll over msgReader, and msgReader.Read (read.go:447)
// maps any error that errors.Is io.EOF to the message's end:
//
//	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) && mr.fin && mr.flate {
//		mr.putFlateReader()
//		return n, io.EOF
//	}
//
// The errors below it wrap the stream's io.EOF with %w, so the check fires
// when a read starts exactly at the end of the stream:
//   - a payload read (readFramePayload, read.go:282-284, io.ReadFull returns
//     io.EOF when it read nothing): a FIN inside a payload where io.ReadAll
//     starts a new Read (after 0, 512, 768, 1152, 1728, 2624, 4032, 6080…
//     bytes of the message), or right after a data frame's header;
//   - the next frame's header between fragments (readFrameHeader: the reads
//     at frame.go:55, 67, 79/82 and 94, wrapped with %w by errd.Wrap at
//     frame.go:53): a FIN after a complete non-final fragment, after its
//     first header byte, or right before its extended length or mask key;
//   - a control frame interleaved mid-message (handleControl wraps its
//     payload error with %w, read.go:208): a FIN after a ping's header.
//
// Each delivers the bytes read so far as a whole message with a nil error
// (sdk/truncated_native_test.go cuts at all of these). An RST is not
// affected (ECONNRESET is not io.EOF), nor is a cut that makes io.ReadFull
// return io.ErrUnexpectedEOF (some bytes of a read, then EOF) while
// compression is off, as it always is in redial.
//
// Upstream: to report to github.com/coder/websocket against v1.8.15
// read.go:447 (msgReader.Read): only the message reader's own io.EOF (the
// final frame's payload fully read, read.go:464) may end a message; an EOF
// from the connection inside a frame or between fragments must become
// io.ErrUnexpectedEOF. gorilla/websocket fixed the same bug long ago
// (gorilla/websocket#127, merged: "Fix Read() to return errUnexpectedEOF
// when EOF is received before all bytes in the frame have been read"; see
// also gorilla/websocket#471 on telling a cut inside a frame from one
// between frames).
//
// The guard sits on the response body of the 101, which coder/websocket
// uses as its connection (dial.go:170): above TLS, so a close_notify
// (which crypto/tls reports as io.EOF) is caught too, and whatever
// http.RoundTripper made the request, including one from a user-supplied
// NativeOptions.HTTPClient, because dialNative always wraps the client's
// transport in a recordingTransport, which installs it.
//
// The browser build cannot hit this: the browser's WebSocket parses frames
// itself and fires message only for a complete message; a stream that ends
// mid-message fails the connection (close event, code 1006, RFC 6455
// §7.1.5), never a partial message event.
type eofGuard struct{ io.ReadWriteCloser }

func (g eofGuard) Read(p []byte) (int, error) {
	n, err := g.ReadWriteCloser.Read(p)
	if errors.Is(err, io.EOF) {
		err = errStreamEnded
	}
	return n, err
}

// guardUpgrade installs eofGuard on a 101 response's body. Any other
// response is left alone: coder/websocket reads only the first 1 KiB of
// it, for its error message. A body that is not an io.ReadWriteCloser is
// left alone too: coder/websocket refuses it (dial.go:172).
func guardUpgrade(resp *http.Response) {
	if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
		return
	}
	if rwc, ok := resp.Body.(io.ReadWriteCloser); ok {
		resp.Body = eofGuard{rwc}
	}
}
