//go:build js

package main

import "unsafe"

// The Go heap lives in the wasm linear memory and Go's collector does not
// move objects, so the address of a byte slice's array is a stable offset
// into WebAssembly.Memory.buffer for as long as the slice is reachable. The
// shim reads messages and writes outgoing data there directly, which spares
// a JS object (and its finalizer) per message.

// scratch is where the shim puts an outgoing message before sendText /
// sendBinary. One buffer serves every socket: JS is single-threaded, and the
// bytes are copied (by Conn.Write) before the call returns.
var scratch []byte

// growScratch makes scratch hold at least n bytes; it returns its address
// and capacity. A bigger buffer replaces the old one, so the shim must ask
// again whenever it needs more than the capacity it was told.
func growScratch(n int) (ptr, capacity int) {
	if n > len(scratch) {
		size := max(n, 2*len(scratch), 64<<10)
		scratch = make([]byte, size)
	}
	return addr(scratch), len(scratch)
}

// addr is the wasm memory offset of p's first byte (0 for an empty slice).
func addr(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(p))))
}

// bytesOf views s as bytes without copying; the result must not be
// modified, and must not be kept past the caller's use (Conn.Write copies).
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// addr32 is the wasm memory offset of p's first element (0 when empty).
func addr32(p []uint32) int {
	if len(p) == 0 {
		return 0
	}
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(p))))
}
