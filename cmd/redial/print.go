package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/redial-ws/redial/sdk"
)

func (r *runner) say(format string, args ...any) {
	fmt.Fprintf(r.stderr, "redial: "+format+"\n", args...)
}

// printEvents words every state change on stderr, in order. It ends after
// the final StateClosed event, or, once stop is closed, when the channel is
// empty.
func (r *runner) printEvents(stop <-chan struct{}) {
	defer close(r.printerDone)
	for {
		select {
		case e := <-r.events:
			if r.printEvent(e) {
				return
			}
		case <-stop:
			for {
				select {
				case e := <-r.events:
					if r.printEvent(e) {
						return
					}
				default:
					return
				}
			}
		}
	}
}

// printEvent reports true for the last event of a Conn.
func (r *runner) printEvent(e sdk.StateChange) (last bool) {
	switch e.To {
	case sdk.StateOpen:
		<-r.dialed // the first open comes before Dial has returned the Conn
		var hs sdk.Handshake
		if r.conn != nil {
			hs = r.conn.Handshake()
		}
		if hs.URL == "" {
			hs.URL = r.cfg.url
		}
		if r.cfg.verbose && r.conn != nil {
			r.printHandshake(hs)
		}
		details := []string{sdk.RedactURL(hs.URL)}
		if hs.Subprotocol != "" {
			details = append(details, "subprotocol "+subprotocol(hs.Subprotocol))
		}
		if e.Attempt > 0 {
			details = append(details, fmt.Sprintf("attempt %d", e.Attempt))
		}
		r.say("open (%s)", strings.Join(details, ", "))
		r.opens.fire()
	case sdk.StateReconnecting:
		r.say("reconnecting in %s (attempt %d, %s)", roundDelay(e.Delay), e.Attempt, describe(e.Err, r.cfg))
	case sdk.StateClosed:
		return true // run words the final cause, with the exit status
	}
	return false
}

func (r *runner) printHandshake(hs sdk.Handshake) {
	// URL and credentials are printed redacted, as everywhere in redial:
	// -v output ends up in bug reports and terminal recordings.
	r.say("> GET %s", sdk.RedactURL(hs.URL))
	for _, k := range sortedKeys(hs.RequestHeader) {
		for _, v := range hs.RequestHeader[k] {
			r.say("> %s: %s", rfcName(k), sdk.RedactHeader(k, v))
		}
	}
	r.say("< %d %s", hs.StatusCode, http.StatusText(hs.StatusCode))
	for _, k := range sortedKeys(hs.ResponseHeader) {
		for _, v := range hs.ResponseHeader[k] {
			r.say("< %s: %s", rfcName(k), sdk.RedactHeader(k, v))
		}
	}
	if want := sdk.ComputeAccept(hs.Key); hs.AcceptValid && hs.Accept == want {
		r.say("verified: base64(SHA-1(key+GUID)) matches (%s)", hs.Accept)
	} else {
		r.say("NOT verified: base64(SHA-1(key+GUID)) is %s, the server sent %q", want, hs.Accept)
	}
}

// describe words a failure briefly, for a "reconnecting" line or an exit.
func describe(err error, cfg *config) string {
	var (
		ce *sdk.CloseError
		he *sdk.HandshakeError
		oe *net.OpError
		de *sdk.DialError
		ue *url.Error
	)
	switch {
	case err == nil:
		return "no error"
	case errors.As(err, &ce):
		s := "close " + ce.Code.String()
		if ce.Code == sdk.StatusAbnormalClosure {
			return s + ", no close frame"
		}
		if ce.Reason != "" {
			s += ": " + closeReason(ce.Reason)
		}
		return s
	case errors.As(err, &he):
		if he.StatusCode != 0 && he.StatusCode != http.StatusSwitchingProtocols {
			s := fmt.Sprintf("handshake refused with HTTP %d %s", he.StatusCode, http.StatusText(he.StatusCode))
			if ra := headerValue(he.Header, "Retry-After"); ra != "" {
				s += ", Retry-After: " + ra
			}
			return s
		}
		return trim(he)
	case errors.Is(err, sdk.ErrHeartbeatTimeout):
		return "heartbeat timeout (no pong within two -heartbeat intervals)"
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer within -timeout %s", cfg.timeout)
	case errors.As(err, &oe):
		return oe.Error()
	case errors.As(err, &de):
		// "dial URL: failed to WebSocket dial: …: Get "URL": EOF": the
		// line names the URL already; say the failure once.
		s := fmt.Sprint(de.Err)
		if errors.As(de.Err, &ue) {
			s = strings.Replace(s, ue.Error(), fmt.Sprint(ue.Err), 1)
		}
		return sdk.RedactText(s)
	}
	return trim(err)
}

func trim(err error) string { return strings.TrimPrefix(err.Error(), "redial: ") }

// roundDelay shows 1.3s rather than 1.312734s, and 40ms below a second.
func roundDelay(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func headerValue(h map[string][]string, key string) string {
	for k, v := range h {
		if strings.EqualFold(k, key) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// rfcName spells Go's canonical "Sec-Websocket-Key" as RFC 6455 does.
func rfcName(k string) string { return strings.Replace(k, "Websocket", "WebSocket", 1) }

func sortedKeys(h map[string][]string) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
