package rawws

// AwaitClose is ServeUntilClose that also returns the payload of the
// client's close frame (code and reason, RFC 6455 §5.5.1); ok is false
// when the stream ended with no close frame.
func (c *Conn) AwaitClose() (payload []byte, ok bool) {
	for {
		op, p, err := ReadFrame(c.br)
		if err != nil {
			return nil, false
		}
		switch op {
		case OpClose:
			_ = c.Write(Frame(true, OpClose, p))
			return p, true
		case OpPing:
			if c.Write(Frame(true, OpPong, p)) != nil {
				return nil, false
			}
		}
	}
}
