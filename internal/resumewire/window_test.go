package resumewire

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// TestWindowProperties drives a Window with random pushes, acks and
// replays against a plain model (a slice) and checks after every step:
// seqs are contiguous from acked+1 to last; bounds hold; Ack releases
// exactly the frames ≤ n; From returns exactly frames > n, or a gap when
// they were released, or ErrAckAhead past the last seq.
func TestWindowProperties(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		maxCount, maxBytes := 1+r.IntN(16), 1+r.IntN(64)
		start := uint64(r.IntN(3)) * 1000
		w := NewWindow(maxCount, maxBytes, start)
		var model []Sent
		acked, last := start, start
		modelBytes := func() (n int) {
			for _, f := range model {
				n += len(f.Payload)
			}
			return n
		}
		for step := 0; step < 300; step++ {
			switch op := r.IntN(3); op {
			case 0: // push without blocking: only when the model says it fits
				p := make([]byte, r.IntN(maxBytes+2))
				fits := len(model) < maxCount && modelBytes()+len(p) <= maxBytes
				ctx, cancel := context.WithCancel(context.Background())
				if !fits {
					cancel() // a full window must wait, so a dead ctx returns at once
				}
				seq, err := w.Push(ctx, KindDataBinary, p)
				cancel()
				switch {
				case len(p) > maxBytes:
					if !errors.Is(err, ErrTooBig) {
						t.Fatalf("seed %d: oversize push: %v", seed, err)
					}
				case fits:
					last++
					if err != nil || seq != last {
						t.Fatalf("seed %d: push: seq %d err %v, want %d", seed, seq, err, last)
					}
					model = append(model, Sent{Seq: seq, Kind: KindDataBinary, Payload: p})
				default:
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("seed %d: push into a full window: %v", seed, err)
					}
				}
			case 1: // ack anywhere around the live range
				n := acked + uint64(r.IntN(int(last-acked)+3))
				if r.IntN(4) == 0 && acked > start {
					n = acked - 1
				}
				k, err := w.Ack(n)
				switch {
				case n > last:
					if !errors.Is(err, ErrAckAhead) || k != 0 {
						t.Fatalf("seed %d: ack ahead %d>%d: %d %v", seed, n, last, k, err)
					}
				case n <= acked:
					if err != nil || k != 0 {
						t.Fatalf("seed %d: stale ack: %d %v", seed, k, err)
					}
				default:
					if err != nil || k != int(n-acked) {
						t.Fatalf("seed %d: ack %d released %d, %v", seed, n, k, err)
					}
					model = model[k:]
					acked = n
				}
			case 2: // replay
				n := start + uint64(r.IntN(int(last-start)+3))
				got, err := w.From(n, nil)
				switch {
				case n > last:
					if !errors.Is(err, ErrAckAhead) {
						t.Fatalf("seed %d: From(%d) past %d: %v", seed, n, last, err)
					}
				case n < acked:
					var ge *GapError
					if !errors.As(err, &ge) || !errors.Is(err, ErrGap) || ge.Want != n+1 || ge.Got != acked+1 {
						t.Fatalf("seed %d: From(%d) with acked %d: %v", seed, n, acked, err)
					}
				default:
					want := model[n-acked:]
					if err != nil || len(got) != len(want) {
						t.Fatalf("seed %d: From(%d): %d frames %v, want %d", seed, n, len(got), err, len(want))
					}
					for i := range got {
						if got[i].Seq != want[i].Seq {
							t.Fatalf("seed %d: From(%d)[%d] seq %d want %d", seed, n, i, got[i].Seq, want[i].Seq)
						}
					}
				}
			}
			c, b := w.Len()
			if c != len(model) || b != modelBytes() || w.Last() != last || w.Acked() != acked {
				t.Fatalf("seed %d step %d: window (%d,%d,last %d,acked %d) model (%d,%d,%d,%d)",
					seed, step, c, b, w.Last(), w.Acked(), len(model), modelBytes(), last, acked)
			}
			if c > maxCount || b > maxBytes {
				t.Fatalf("seed %d: bounds broken: %d/%d frames %d/%d bytes", seed, c, maxCount, b, maxBytes)
			}
		}
	}
}

// A full window blocks Push until an ack frees room (backpressure), and
// wakes the writer waiting on Added.
func TestWindowPushWaitsForAck(t *testing.T) {
	w := NewWindow(2, 100, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 2 {
		if _, err := w.Push(ctx, KindDataText, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	added := w.Added()
	done := make(chan uint64)
	go func() {
		seq, err := w.Push(ctx, KindDataText, []byte("y"))
		if err != nil {
			t.Error(err)
		}
		done <- seq
	}()
	select {
	case <-done:
		t.Fatal("push into a full window returned before an ack")
	case <-added:
		t.Fatal("Added fired for a push that is waiting")
	case <-time.After(50 * time.Millisecond): // a negative check: bounded, not a sleep-and-hope
	}
	if k, err := w.Ack(1); k != 1 || err != nil {
		t.Fatalf("ack: %d %v", k, err)
	}
	select {
	case seq := <-done:
		if seq != 3 {
			t.Fatalf("seq %d, want 3", seq)
		}
	case <-ctx.Done():
		t.Fatal("push still blocked after ack")
	}
	<-added
}

// TestReceiverProperties: a stream with random duplicates (replays that
// crossed an ack) delivers every seq exactly once in order; any skip is a
// gap that counts nothing.
func TestReceiverProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rc := NewReceiver(0)
	var delivered []uint64
	next := uint64(1)
	for len(delivered) < 10000 {
		seq := next
		if r.IntN(3) == 0 && next > 1 {
			seq = 1 + uint64(r.IntN(int(next-1))) // a replay of an old one
		}
		if r.IntN(50) == 0 {
			bad := next + 1 + uint64(r.IntN(5))
			v, err := rc.Accept(bad)
			var ge *GapError
			if v != 0 || !errors.As(err, &ge) || ge.Want != next || ge.Got != bad {
				t.Fatalf("gap %d: %v %v", bad, v, err)
			}
		}
		v, err := rc.Accept(seq)
		if err != nil {
			t.Fatal(err)
		}
		if v == Deliver {
			delivered = append(delivered, seq)
			next++
		} else if seq == next {
			t.Fatalf("seq %d dropped as duplicate", seq)
		}
	}
	for i, s := range delivered {
		if s != uint64(i+1) {
			t.Fatalf("delivered[%d] = %d", i, s)
		}
	}
	if rc.Accepted() != 10000 {
		t.Fatalf("accepted %d", rc.Accepted())
	}
}
