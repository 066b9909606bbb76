package faults

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tcpPair returns both ends of a real loopback TCP connection.
func tcpPair(t *testing.T) (server, client *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { _ = s.Close(); _ = c.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

// A stalled Socket moves no byte until lifted; an older Lift does not end
// a newer stall; Close unblocks a stalled Write.
func TestSocketStall(t *testing.T) {
	srv, cl := tcpPair(t)
	s := NewSocket(srv)
	old := s.Stall()
	gen := s.Stall()
	wrote := make(chan error, 1)
	go func() {
		_, err := s.Write([]byte("x"))
		wrote <- err
	}()
	s.Lift(old) // stale: must not lift
	_ = cl.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, err := cl.Read(make([]byte, 1)); n != 0 || !isTimeout(err) {
		t.Fatalf("read while stalled: n=%d err=%v, want a timeout", n, err)
	}
	if !s.Stalled() {
		t.Fatal("Stalled() = false after a stale Lift")
	}
	s.Lift(gen)
	if err := <-wrote; err != nil {
		t.Fatalf("write after Lift: %v", err)
	}
	_ = cl.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 1)
	if _, err := io.ReadFull(cl, b); err != nil || b[0] != 'x' {
		t.Fatalf("read after Lift: %q %v", b, err)
	}

	s.Stall()
	go func() {
		_, err := s.Write([]byte("y"))
		wrote <- err
	}()
	_ = s.Close()
	if err := <-wrote; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("stalled write after Close: %v, want net.ErrClosed", err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// FIN ends the stream cleanly (EOF); RST makes the peer's read fail.
func TestFINAndRST(t *testing.T) {
	srv, cl := tcpPair(t)
	done := make(chan struct{})
	go func() { defer close(done); FIN(srv, srv) }()
	_ = cl.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := cl.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read after FIN: %v, want EOF", err)
	}
	_ = cl.Close()
	<-done

	srv, cl = tcpPair(t)
	RST(srv)
	_ = cl.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := cl.Read(make([]byte, 1)); err == nil || err == io.EOF || isTimeout(err) {
		t.Fatalf("read after RST: %v, want a reset", err)
	}
}

// A socket that arrives after Cut is closed on arrival, and Cut ends the
// context: a cut is never lost to a race with the handshake.
func TestLiveCutBeforeSocket(t *testing.T) {
	srv, cl := tcpPair(t)
	l := NewLive(context.Background())
	l.Cut()
	if l.Context().Err() == nil {
		t.Fatal("Context not done after Cut")
	}
	l.SetSocket(NewSocket(srv))
	_ = cl.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := cl.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("peer read: %v, want EOF (socket closed on arrival)", err)
	}
	l.Release()
	if l.Conn() != nil {
		t.Fatal("Conn() != nil without SetConn")
	}
}

// After Shut the registry refuses connections and goroutines, and hands
// back what is still registered.
func TestRegistryShut(t *testing.T) {
	r := NewRegistry[int]("closed")
	if !r.Add(1) || !r.Add(2) || r.Count(nil) != 2 {
		t.Fatal("Add before Shut")
	}
	r.Remove(1)
	if got := r.Shut(); len(got) != 1 || got[0] != 2 {
		t.Fatalf("Shut() = %v, want [2]", got)
	}
	if r.Add(3) || r.Go(func() {}) {
		t.Fatal("Add or Go accepted after Shut")
	}
	r.Wait()
}
