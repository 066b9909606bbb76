package benchkit

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// serveEnv, set in a child's environment, makes MaybeServe run the echo
// server there: the client under measurement and the server are two
// processes, so each one's heap and goroutines are its own.
const serveEnv = "BENCHKIT_ECHO_SERVER"

// MaybeServe must be the first call of a piece's main: in the child
// started by StartServer it serves and never returns; elsewhere it does
// nothing. The child prints its address, serves /ws (a coder/websocket
// echo) and /stats, and exits when its stdin closes (its parent ended).
func MaybeServe() {
	if os.Getenv(serveEnv) == "" {
		return
	}
	if _, err := RaiseFDLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "echo server: fd limit:", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo server:", err)
		os.Exit(1)
	}
	var open atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		open.Add(1)
		defer open.Add(-1)
		c.SetReadLimit(1 << 20)
		ctx := context.Background()
		for {
			typ, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, p); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		s := ReadMem()
		fmt.Fprintf(w, "%d %d %d %d\n", s.Heap, s.Stack, s.Goroutines, open.Load())
	})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	fmt.Println(ln.Addr())
	_ = http.Serve(ln, mux)
	os.Exit(1)
}

// Mem is a process's memory after a full GC.
type Mem struct {
	Heap, Stack uint64 // HeapAlloc and StackInuse, bytes
	Goroutines  int
}

// ReadMem collects garbage (twice: finalizers free more on the second)
// and reads the heap, stacks and goroutine count.
func ReadMem() Mem {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Mem{Heap: ms.HeapAlloc, Stack: ms.StackInuse, Goroutines: runtime.NumGoroutine()}
}

// Server is the echo server child process.
type Server struct {
	URL   string // ws://127.0.0.1:port/ws
	base  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// StartServer runs this executable again as the echo server (see
// MaybeServe) and waits for its address.
func StartServer() (*Server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stdin.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("echo server did not start: %w", err)
	}
	addr := strings.TrimSpace(line)
	return &Server{URL: "ws://" + addr + "/ws", base: "http://" + addr, cmd: cmd, stdin: stdin}, nil
}

// ServerMem is the server process's memory and its open WebSockets.
type ServerMem struct {
	Mem
	Open int
}

// Stats asks the server for its memory (after its own GC).
func (s *Server) Stats() (ServerMem, error) {
	c := http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get(s.base + "/stats")
	if err != nil {
		return ServerMem{}, err
	}
	defer resp.Body.Close()
	var m ServerMem
	_, err = fmt.Fscan(resp.Body, &m.Heap, &m.Stack, &m.Goroutines, &m.Open)
	return m, err
}

// WaitOpen waits until the server holds n WebSockets (or d passes).
func (s *Server) WaitOpen(n int, d time.Duration) (ServerMem, error) {
	deadline := time.Now().Add(d)
	for {
		m, err := s.Stats()
		if err == nil && m.Open == n {
			return m, nil
		}
		if time.Now().After(deadline) {
			return m, fmt.Errorf("server holds %d WebSockets, want %d (err %v)", m.Open, n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop ends the child (closing its stdin) and waits for it.
func (s *Server) Stop() {
	s.stdin.Close()
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}
