//go:build js

package main

import (
	"time"

	"github.com/hack-pad/safejs"
	"github.com/redial-ws/redial/sdk"
)

// statsJS is handle.stats(): sdk.Conn.Stats as a plain JS object, camelCase,
// durations in milliseconds (fractional), counts as numbers (exact up to
// 2^53). RedialSocket.stats (js/socket.ts) calls it once per read.
func (h *handle) statsJS(safejs.Value, []safejs.Value) (any, error) {
	var st sdk.Stats
	if h.conn != nil { // nil: New refused the URL or options; all zero
		st = h.conn.Stats()
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return map[string]any{
		"attempts":           st.Attempts,
		"reconnects":         st.Reconnects,
		"messagesIn":         st.MessagesIn,
		"bytesIn":            st.BytesIn,
		"messagesOut":        st.MessagesOut,
		"bytesOut":           st.BytesOut,
		"queuedMessages":     st.QueuedMessages,
		"queuedBytes":        st.QueuedBytes,
		"lastRTTMs":          ms(st.LastRTT),
		"timeConnectingMs":   ms(st.TimeConnecting),
		"timeOpenMs":         ms(st.TimeOpen),
		"timeReconnectingMs": ms(st.TimeReconnecting),
		"timeClosedMs":       ms(st.TimeClosed),
	}, nil
}
