package sdk

import "testing"

// TestWriterLifecycle walks the send queue's writer through its states:
// started by a push, parked when drained, woken by the next push, kept by
// a heartbeat tick after it sent, retired by the next idle one, started
// anew by a later push; never two writers taking items.
func TestWriterLifecycle(t *testing.T) {
	q := newSendQueue(10, 1<<10)
	var starts []chan struct{}
	q.attachWriter(true, func(wake chan struct{}) { starts = append(starts, wake) })
	if len(starts) != 0 {
		t.Fatalf("a writer started for an empty queue")
	}
	push := func(s string) {
		t.Helper()
		if _, err := q.push(outMsg{MessageText, []byte(s)}); err != nil {
			t.Fatal(err)
		}
	}
	take := func(want string) {
		t.Helper()
		m, ok, park := q.next()
		if !ok || park || string(m.p) != want {
			t.Fatalf("next = %q, %v, park %v; want %q", m.p, ok, park, want)
		}
		q.pop()
	}
	parks := func() {
		t.Helper()
		if _, ok, park := q.next(); ok || !park {
			t.Fatalf("next on a drained queue: ok %v, park %v; want a park", ok, park)
		}
	}
	push("a")
	push("b") // the writer runs: no second one
	if len(starts) != 1 {
		t.Fatalf("%d writers started; want 1", len(starts))
	}
	take("a")
	take("b")
	parks()
	push("c")
	select {
	case <-starts[0]:
	default:
		t.Fatal("a push did not wake the parked writer")
	}
	if !q.woken(starts[0]) || len(starts) != 1 {
		t.Fatalf("the woken writer is not the writer, or another started (%d)", len(starts))
	}
	take("c")
	parks()
	q.retireIdleWriter() // it sent since the last tick: it stays
	if !q.woken(starts[0]) {
		t.Fatal("a writer that sent was retired")
	}
	q.retireIdleWriter() // idle for a whole interval: retired
	select {
	case <-starts[0]:
	default:
		t.Fatal("the retired writer was not woken to exit")
	}
	if q.woken(starts[0]) {
		t.Fatal("the retired writer still counts as the writer")
	}
	push("d")
	if len(starts) != 2 || starts[1] == starts[0] {
		t.Fatalf("after retirement a push started %d writers in all; want a second, with its own channel", len(starts))
	}
	take("d")
	q.detachWriter()
	push("e")
	if len(starts) != 2 {
		t.Fatal("a writer started with no connection")
	}
}

// TestWriterNoLinger: without a heartbeat to retire it the writer exits
// when the queue is drained, and the next push starts another.
func TestWriterNoLinger(t *testing.T) {
	q := newSendQueue(10, 1<<10)
	starts := 0
	q.attachWriter(false, func(wake chan struct{}) {
		if wake != nil {
			t.Error("a writer that does not park got a wake channel")
		}
		starts++
	})
	for i, s := range []string{"a", "b"} {
		if _, err := q.push(outMsg{MessageBinary, []byte(s)}); err != nil {
			t.Fatal(err)
		}
		if starts != i+1 {
			t.Fatalf("push %d: %d writers started; want %d", i, starts, i+1)
		}
		if m, ok, park := q.next(); !ok || park || string(m.p) != s {
			t.Fatalf("next = %q, %v, %v", m.p, ok, park)
		}
		q.pop()
		if _, ok, park := q.next(); ok || park {
			t.Fatalf("drained: ok %v, park %v; want the writer to exit", ok, park)
		}
	}
}
