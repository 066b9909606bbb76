package main

// /api/state: the live connections, restart windows and refusals.

import (
	"math"
	"net/http"
	"slices"
	"time"
)

// State is what /api/state answers.
type State struct {
	Tick       uint64                  `json:"tick"`
	TickMs     int64                   `json:"tickMs"`
	Total      int                     `json:"total"`
	Clients    map[string]*ClientState `json:"clients"`
	Restarting []RestartState          `json:"restarting"`
	Refusals   []RefusalState          `json:"refusals"`
}

// ClientState counts one client's live connections by endpoint.
type ClientState struct {
	Echo    int `json:"echo"`
	Ticker  int `json:"ticker"`
	Chat    int `json:"chat"`
	Stalled int `json:"stalled"`
}

// RestartState is a restart window still running.
type RestartState struct {
	All         bool   `json:"all"`
	Client      string `json:"client,omitempty"`
	RemainingMs int64  `json:"remainingMs"`
}

// RefusalState is a pending refusal.
type RefusalState struct {
	All        bool   `json:"all"`
	Client     string `json:"client,omitempty"`
	Status     int    `json:"status"`
	RetryAfter string `json:"retryAfter,omitempty"`
	Remaining  int    `json:"remaining"`
}

func (s *Server) apiState(*http.Request) (any, error) {
	return s.state(), nil
}

func (s *Server) state() *State {
	now := s.cfg.Now()
	conns := s.conns.List(nil)
	s.mu.Lock()
	st := &State{
		Tick:       s.tick,
		TickMs:     s.cfg.Tick.Milliseconds(),
		Total:      len(conns),
		Clients:    map[string]*ClientState{},
		Restarting: []RestartState{},
		Refusals:   []RefusalState{},
	}
	for k, until := range s.downUntil {
		if left := until.Sub(now); left > 0 {
			rs := RestartState{All: k == allClients, RemainingMs: int64(math.Ceil(float64(left) / float64(time.Millisecond)))}
			if !rs.All {
				rs.Client = k
			}
			st.Restarting = append(st.Restarting, rs)
		}
	}
	for _, ref := range s.refusals {
		st.Refusals = append(st.Refusals, RefusalState{All: ref.all, Client: ref.client, Status: ref.status, RetryAfter: ref.retryAfter, Remaining: ref.remaining})
	}
	s.mu.Unlock()
	slices.SortFunc(st.Restarting, func(a, b RestartState) int {
		if a.All != b.All {
			if a.All {
				return -1
			}
			return 1
		}
		if a.Client < b.Client {
			return -1
		}
		if a.Client > b.Client {
			return 1
		}
		return 0
	})
	for _, e := range conns {
		cs := st.Clients[e.client]
		if cs == nil {
			cs = &ClientState{}
			st.Clients[e.client] = cs
		}
		switch e.kind {
		case "echo":
			cs.Echo++
		case "ticker":
			cs.Ticker++
		case "chat":
			cs.Chat++
		}
		if e.Stalled() {
			cs.Stalled++
		}
	}
	return st
}
