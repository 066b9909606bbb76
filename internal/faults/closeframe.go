package faults

import (
	"encoding/binary"
	"time"
)

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
// library is writing (each of its frames goes out in one flush).
func (s *Socket) CloseFrame(code uint16, reason string) error {
	s.Stall()
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
	defer s.wmu.Unlock()
	_, err := s.Conn.Write(f)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}
