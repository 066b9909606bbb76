package sdk_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/redial-ws/redial/sdk"
)

// TestVerbsNeverPrintSecrets: every fmt verb of a *Conn, a Handshake, a
// StateChange and each error type prints no password, query value or
// credential header. Before the fix %v of a *Conn dumped its fields (the
// URL with password and query, the handshake's Authorization header) and
// %#v of any error printed its raw URL field. Options is the app's own
// struct and is not covered.
func TestVerbsNeverPrintSecrets(t *testing.T) {
	s := startServer(t)
	o := fast(nil)
	o.Header = map[string][]string{"Authorization": {"Bearer HDRSECRET"}, "X-Api-Key": {"KEYSECRET"}}
	c := dial(t, strings.Replace(s.URL("/echo?token=SECRET"), "ws://", "ws://u:PASSWORD@", 1), o)
	defer func() { _ = c.Close(sdk.StatusNormalClosure, "") }()
	hs := c.Handshake()
	lower := errors.New(`Get "http://u:PASSWORD@h/?token=SECRET": EOF`)
	values := []any{c, hs, &hs,
		sdk.StateChange{To: sdk.StateOpen, Handshake: &hs, Err: lower},
		&sdk.CloseError{Code: 1006, Err: lower, Reason: "ws://u:PASSWORD@h/?token=SECRET"},
		&sdk.HandshakeError{StatusCode: 401, Err: lower, Header: map[string][]string{"Set-Cookie": {"SECRET"}}},
		&sdk.URLError{URL: "ws://u:PASSWORD@h:x/?token=SECRET", Reason: "r"},
		&sdk.DialError{URL: "ws://u:PASSWORD@h/?token=SECRET", Err: lower},
		&sdk.OptionError{Field: "F", Reason: "r"}, &sdk.UnsentError{Messages: 1},
	}
	var out strings.Builder
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%s", "%#v", "%q"} {
			_, _ = fmt.Fprintf(&out, verb+"\n", v)
		}
	}
	if !strings.Contains(out.String(), "open") || !strings.Contains(out.String(), "token=xxxxx") {
		t.Errorf("want the state and the redacted URL shown:\n%s", out.String())
	}
	for _, sec := range []string{"SECRET", "PASSWORD"} {
		if i := strings.Index(out.String(), sec); i >= 0 {
			t.Errorf("%q printed: …%s…", sec, out.String()[max(0, i-200):min(out.Len(), i+40)])
		}
	}
}

// TestOptionErrorsDoNotEchoValues: a header name or a subprotocol that is
// no token is refused saying where and what is wrong, without quoting it:
// tokens are sent as subprotocols ("bearer.<base64>", where '/' and '='
// are no token characters) and a forgotten colon makes a header name of a
// credential. Before the fix both were quoted in the *OptionError.
func TestOptionErrorsDoNotEchoValues(t *testing.T) {
	for _, tc := range []struct {
		o    *sdk.Options
		want string
	}{
		{&sdk.Options{Header: map[string][]string{"Authorization S3CR3T": {"x"}}}, "a space at byte 13"},
		{&sdk.Options{Subprotocols: []string{"chat", "bearer.S3CR3T/abc="}}, "[1] is not an HTTP token: a separator ('/') at byte 13"},
		{&sdk.Options{Subprotocols: []string{"S3CR3T\x00"}}, "a control character at byte 6"},
		{&sdk.Options{Subprotocols: []string{"S3CR3T", "S3CR3T"}}, "[1] repeats an earlier one"},
		{&sdk.Options{Subprotocols: []string{"S3CR3T\u00e9"}}, "a non-ASCII byte at byte 6"},
	} {
		_, err := sdk.Dial(ctxT(t), "ws://127.0.0.1:1/", tc.o)
		var oe *sdk.OptionError
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Dial = %v, want an *OptionError saying %q", err, tc.want)
		}
		if s := fmt.Sprintf("%v %#v", err, err); strings.Contains(s, "S3CR3T") {
			t.Errorf("the value is echoed: %s", s)
		}
	}
}
