package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
	"github.com/redial-ws/redial/server/redisstore"
)

func frames(t *testing.T, st *redisstore.Store, id string, after uint64) ([]server.Frame, error) {
	t.Helper()
	var got []server.Frame
	err := st.Range(context.Background(), id, after, func(f server.Frame) error {
		got = append(got, f)
		return nil
	})
	return got, err
}

// TestStoreContract checks each method's consistency rule from
// server.Store's doc against a real Redis: fencing by epoch (a stale
// owner changes nothing), monotonic counters, Range by seq and its
// refusal of released frames, the bound, expiry, collisions, Delete by a
// stale owner, and the move notice a Claim publishes.
func TestStoreContract(t *testing.T) {
	needRedis(t)
	rdb := client(t, shared)
	ctx := context.Background()
	a := redisstore.New(rdb, &redisstore.Options{MaxFrames: 3})
	b := redisstore.New(rdb, &redisstore.Options{MaxFrames: 3})
	const id = "00112233445566778899aabbccddeeff"
	const ttl = time.Minute

	if e, err := a.Create(ctx, id, "alice", ttl); err != nil || e != 1 {
		t.Fatalf("Create: %d %v", e, err)
	}
	if _, err := b.Create(ctx, id, "bob", ttl); !errors.Is(err, redisstore.ErrCollision) {
		t.Fatalf("Create of an existing id: %v", err)
	}
	for i := uint64(1); i <= 3; i++ {
		f := server.Frame{Seq: i, Type: sdk.MessageText, Payload: []byte("m" + strconv.FormatUint(i, 10))}
		if err := a.Append(ctx, id, 1, f); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
	if err := a.Append(ctx, id, 1, server.Frame{Seq: 3, Type: sdk.MessageText, Payload: []byte("m3")}); err != nil {
		t.Fatalf("a retried Append (already stored) must be a no-op: %v", err)
	}
	if err := a.Append(ctx, id, 1, server.Frame{Seq: 5, Type: sdk.MessageBinary}); !errors.Is(err, redisstore.ErrSeqOrder) {
		t.Fatalf("Append out of order: %v", err)
	}
	if err := a.Append(ctx, id, 1, server.Frame{Seq: 4, Type: sdk.MessageBinary}); !errors.Is(err, redisstore.ErrFull) {
		t.Fatalf("Append past MaxFrames: %v", err)
	}
	if err := a.Ack(ctx, id, 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := a.Ack(ctx, id, 1, 0); err != nil { // lower: no-op
		t.Fatal(err)
	}
	if err := a.Append(ctx, id, 1, server.Frame{Seq: 4, Type: sdk.MessageBinary, Payload: []byte{0, 1}}); err != nil {
		t.Fatalf("Append after an ack freed room: %v", err)
	}
	if err := a.SetDelivered(ctx, id, 1, 7); err != nil {
		t.Fatal(err)
	}
	if err := a.SetDelivered(ctx, id, 1, 5); err != nil { // lower: no-op
		t.Fatal(err)
	}
	got, err := frames(t, a, id, 2)
	if err != nil || len(got) != 2 || got[0].Seq != 3 || string(got[0].Payload) != "m3" || got[0].Type != sdk.MessageText ||
		got[1].Seq != 4 || got[1].Type != sdk.MessageBinary || string(got[1].Payload) != "\x00\x01" {
		t.Fatalf("Range after 2: %+v %v", got, err)
	}
	if _, err := frames(t, a, id, 0); !errors.Is(err, server.ErrReplayTrimmed) {
		t.Fatalf("Range needing a released frame: %v", err)
	}

	// b claims: a is fenced and told.
	moved := make(chan string, 1)
	stop := a.NotifyMoves(func(id string, epoch uint64) {
		select { // fn must not block
		case moved <- id + " " + strconv.FormatUint(epoch, 10):
		default:
		}
	})
	defer stop()
	rec, err := b.Claim(ctx, id, ttl)
	if err != nil || rec != (server.Record{Principal: "alice", Delivered: 7, Acked: 1, Sent: 4, Epoch: 2}) {
		t.Fatalf("Claim: %+v %v", rec, err)
	}
	select {
	case m := <-moved:
		if m != id+" 2" {
			t.Fatalf("move notice %q", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no move notice within 5 s")
	}
	for name, op := range map[string]func() error{
		"Append":       func() error { return a.Append(ctx, id, 1, server.Frame{Seq: 5, Type: sdk.MessageText}) },
		"Ack":          func() error { return a.Ack(ctx, id, 1, 4) },
		"SetDelivered": func() error { return a.SetDelivered(ctx, id, 1, 9) },
		"Touch":        func() error { return a.Touch(ctx, id, 1, ttl) },
	} {
		if err := op(); !errors.Is(err, server.ErrSessionMoved) {
			t.Fatalf("stale %s: %v", name, err)
		}
	}
	if err := a.Delete(ctx, id, 1); err != nil { // stale: deletes nothing
		t.Fatal(err)
	}
	if rec, err := b.Claim(ctx, id, ttl); err != nil || rec.Sent != 4 || rec.Acked != 1 || rec.Delivered != 7 || rec.Epoch != 3 {
		t.Fatalf("after stale calls: %+v %v", rec, err)
	}
	if err := b.Delete(ctx, id, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Claim(ctx, id, ttl); !errors.Is(err, server.ErrSessionNotFound) {
		t.Fatalf("Claim after Delete: %v", err)
	}
	if n, err := rdb.Exists(ctx, "redial:{"+id+"}", "redial:{"+id+"}:out").Result(); err != nil || n != 0 {
		t.Fatalf("keys left after Delete: %d %v", n, err)
	}

	// Expiry: both keys vanish ttl after the last touch (Redis's clock).
	const id2 = "ffeeddccbbaa99887766554433221100"
	if _, err := a.Create(ctx, id2, "", 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := a.Append(ctx, id2, 1, server.Frame{Seq: 1, Type: sdk.MessageText, Payload: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"redial:{" + id2 + "}", "redial:{" + id2 + "}:out"} {
		if d, err := rdb.PTTL(ctx, k).Result(); err != nil || d <= 0 || d > 200*time.Millisecond {
			t.Fatalf("PTTL %s: %v %v", k, d, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := frames(t, a, id2, 0) // reads without renewing
		if errors.Is(err, server.ErrSessionNotFound) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("not expired 5 s after a 200 ms ttl: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // Redis's own expiry; nothing to wait on
	}
}
