package sdk

import "runtime"

// goroutineID is the id of the calling goroutine, read from the first
// line of its stack trace ("goroutine 42 [running]:"). Go hides goroutine
// ids on purpose, but Close's signature cannot carry a token, and "is this
// call made from inside the OnStateChange callback?" has no other sound
// answer: a flag says a callback is running, not on which goroutine. It
// costs a microsecond or so and runs once per Close (and once per Conn).
// 0 means the trace did not parse: then every goroutine reads 0, and wait
// falls back to the flag alone (a Close from inside the callback must
// never deadlock; at worst another goroutine's Close returns early).
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	const prefix = "goroutine "
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return 0
	}
	var id uint64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
