package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/redial-ws/redial/sdk"
)

// TestCloseStatus: the code of the *CloseError anywhere in the chain, -1
// for anything else, as coder/websocket's CloseStatus.
func TestCloseStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want sdk.StatusCode
	}{
		{"nil", nil, -1},
		{"close", &sdk.CloseError{Code: sdk.StatusPolicyViolation, Reason: "token expired"}, 1008},
		{"local close", &sdk.CloseError{Code: sdk.StatusNormalClosure, Local: true}, 1000},
		{"no close frame", &sdk.CloseError{Code: sdk.StatusAbnormalClosure}, 1006},
		{"wrapped", fmt.Errorf("read: %w", &sdk.CloseError{Code: 4500}), 4500},
		{"budget around a close", fmt.Errorf("%w: last error: %w", sdk.ErrRetriesExhausted, &sdk.CloseError{Code: 1011}), 1011},
		{"handshake", &sdk.HandshakeError{StatusCode: 403}, -1},
		{"closed", sdk.ErrClosed, -1},
		{"context", context.Canceled, -1},
		{"plain", errors.New("EOF"), -1},
	} {
		if got := sdk.CloseStatus(tc.err); got != tc.want {
			t.Errorf("%s: CloseStatus(%v) = %d, want %d", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestCloseStatusFromRead: the error Read returns after a server's close
// gives its code, end to end over a real connection.
func TestCloseStatusFromRead(t *testing.T) {
	s := startServer(t)
	c, err := sdk.Dial(context.Background(), s.URL("/close?code=1008&reason=bye"), fast(nil))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Read(context.Background())
	if got := sdk.CloseStatus(err); got != sdk.StatusPolicyViolation {
		t.Fatalf("CloseStatus(%v) = %d, want 1008", err, got)
	}
}
