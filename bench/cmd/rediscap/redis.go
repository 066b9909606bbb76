package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisProc is the redis-server this program started: loopback only, a
// free port, its own temp dir, persistence off (as the tests run it).
type redisProc struct {
	cmd  *exec.Cmd
	addr string
	dir  string
}

// startRedis starts redis-server and waits (10 s at most) until it
// answers PING.
func startRedis() (*redisProc, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	dir, err := os.MkdirTemp("", "redial-rediscap-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", "")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive this program
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("redis-server: %w (scripts/ensure-redis.sh installs it)", err)
	}
	r := &redisProc{cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir}
	rdb := redis.NewClient(&redis.Options{Addr: r.addr, DialerRetries: 1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return r, nil
		}
		if time.Now().After(deadline) {
			r.stop()
			return nil, fmt.Errorf("redis-server on %s not ready within 10 s: %w", r.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the server (SIGTERM, then SIGKILL after 5 s) and removes its dir.
func (r *redisProc) stop() {
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
	_ = os.RemoveAll(r.dir)
}

// redisCounters are the INFO fields a step reads twice: Redis's own CPU
// seconds (user+sys, all its threads) and the commands it ran (scripts'
// inner calls not included: total_commands_processed counts EVALSHA once).
type redisCounters struct {
	cpu      float64
	commands int64
}

func readCounters(ctx context.Context, rdb *redis.Client) (redisCounters, error) {
	info, err := rdb.Info(ctx, "cpu", "stats").Result()
	if err != nil {
		return redisCounters{}, err
	}
	var c redisCounters
	found := 0
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		switch k {
		case "used_cpu_user", "used_cpu_sys":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return c, fmt.Errorf("INFO %s: %w", k, err)
			}
			c.cpu += f
			found++
		case "total_commands_processed":
			c.commands, err = strconv.ParseInt(v, 10, 64)
			if err != nil {
				return c, fmt.Errorf("INFO %s: %w", k, err)
			}
			found++
		}
	}
	if found != 3 {
		return c, errors.New("INFO cpu/stats: used_cpu_user, used_cpu_sys or total_commands_processed missing")
	}
	return c, nil
}

// processCPU is this process's CPU time (user+sys): the client's and the
// node's, which share it.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseFileLimit lifts the soft fd limit to the hard one: two sockets per
// session (client and node ends) plus the node's Redis pool.
func raiseFileLimit() uint64 {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		return 0
	}
	lim.Cur = lim.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	return lim.Cur
}
