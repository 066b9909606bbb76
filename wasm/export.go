//go:build js

package main

//lint:file-ignore U1000 the //go:wasmexport functions are called from JS, which staticcheck cannot see

import (
	"runtime"
	"sync"

	"github.com/redial-ws/redial/sdk"
)

// The send fast path. A js.Func call costs a JS object per argument and a
// string decode per property syscall/js reads, then a full scheduler round
// before it returns; per message that halves throughput. So a send is a
// plain wasm export instead, called by the shim with numbers only: it
// queues the message (sdk.Conn.Write never blocks with an ended context) and
// returns a status. The queued message goes out when Go next runs its
// goroutines: the shim calls __redial.kick() (a js.Func) once per batch, in a
// microtask, and at once when the queue is full.
//
// An export runs on whatever goroutine Go paused in, so it must not block:
// it takes only locks no goroutine holds while parked, and never waits.

// Status codes of redial_send.
const (
	sendOK       = 0
	sendSlowPath = 1 // not sent: call handle.sendText/sendBinary for the answer (it waits for room, or words the error)
)

var (
	handlesMu sync.Mutex
	handles   = map[int32]*handle{}
	nextID    int32
)

func addHandle(h *handle) int32 {
	handlesMu.Lock()
	defer handlesMu.Unlock()
	nextID++
	handles[nextID] = h
	return nextID
}

func liveHandles() int {
	handlesMu.Lock()
	defer handlesMu.Unlock()
	return len(handles)
}

func dropHandle(id int32) {
	handlesMu.Lock()
	defer handlesMu.Unlock()
	delete(handles, id)
}

// exportSend queues the first n bytes of the scratch buffer as a message on
// socket id; binary != 0 for a binary message.
//
//go:wasmexport redial_send
func exportSend(id, binary, n int32) (status int32) {
	defer func() {
		if recover() != nil {
			status = sendSlowPath
		}
	}()
	handlesMu.Lock()
	h := handles[id]
	handlesMu.Unlock()
	if h == nil || n < 0 || int(n) > len(scratch) {
		return sendSlowPath
	}
	typ := sdk.MessageText
	if binary != 0 {
		typ = sdk.MessageBinary
	}
	if h.tryWrite(typ, scratch[:n]) != nil {
		return sendSlowPath
	}
	return sendOK
}

// kickJS is __redial.kick(): a js.Func that does nothing, so that Go runs
// every goroutine ready to run (the SDK's writers) before returning.
func kickJS() {
	runtime.Gosched()
}

// exportBuffered is RedialSocket.bufferedAmount for socket id (an export,
// not a js.Func, so reading the property never runs Go's goroutines, which
// could fire events from inside a getter). -1 for an unknown id.
//
//go:wasmexport redial_buffered
func exportBuffered(id int32) (n float64) {
	defer func() {
		if recover() != nil {
			n = 0
		}
	}()
	handlesMu.Lock()
	h := handles[id]
	handlesMu.Unlock()
	if h == nil {
		return -1
	}
	return float64(h.buffered())
}
