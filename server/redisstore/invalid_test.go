package redisstore_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redial-ws/redial/sdk"
	"github.com/redial-ws/redial/server"
	"github.com/redial-ws/redial/server/redisstore"
	"github.com/redis/go-redis/v9"
)

// TestInvalidArgs: redisstore.New with a nil client (untyped or typed) or
// a Prefix with braces never panics: server.New subscribes to nothing,
// every Store method and Ping return ErrNilClient / ErrPrefixBraces, and
// a real client's new session is refused with 4013 (the server wraps the
// error in server.ErrStore).
func TestInvalidArgs(t *testing.T) {
	needRedis(t)
	rdb := redis.NewClient(redisOptions(shared.addr))
	defer func() { _ = rdb.Close() }()
	for name, tc := range map[string]struct {
		rdb    redis.UniversalClient
		prefix string
		want   error
	}{
		"nil":                   {nil, "", redisstore.ErrNilClient},
		"typed nil *Client":     {(*redis.Client)(nil), "", redisstore.ErrNilClient},
		"typed nil *Cluster":    {(*redis.ClusterClient)(nil), "", redisstore.ErrNilClient},
		"typed nil *redis.Ring": {(*redis.Ring)(nil), "", redisstore.ErrNilClient},
		"prefix with braces":    {rdb, "app{1}:", redisstore.ErrPrefixBraces},
	} {
		t.Run(name, func(t *testing.T) {
			st := redisstore.New(tc.rdb, &redisstore.Options{Prefix: tc.prefix})
			ctx := context.Background()
			const id = "00000000000000000000000000000000"
			_, errCreate := st.Create(ctx, id, "", time.Minute)
			_, errClaim := st.Claim(ctx, id, time.Minute)
			for op, err := range map[string]error{
				"Create":       errCreate,
				"Claim":        errClaim,
				"Append":       st.Append(ctx, id, 1, server.Frame{Seq: 1, Type: sdk.MessageText}),
				"Ack":          st.Ack(ctx, id, 1, 1),
				"Range":        st.Range(ctx, id, 0, func(server.Frame) error { return nil }),
				"SetDelivered": st.SetDelivered(ctx, id, 1, 1),
				"Touch":        st.Touch(ctx, id, 1, time.Minute),
				"Delete":       st.Delete(ctx, id, 1),
				"Ping":         st.Ping(ctx),
			} {
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: %v, want %v", op, err, tc.want)
				}
			}
			srv := server.New(&server.Options{Store: st}, func(context.Context, *server.Session) {
				t.Error("handler ran without a store")
			})
			hs := httptest.NewServer(srv)
			defer func() { _ = srv.Close(); hs.Close() }()
			err := newSession(testCtx(t, 10*time.Second), "ws://"+strings.TrimPrefix(hs.URL, "http://")+"/", 1)
			var ce *sdk.CloseError
			if !errors.As(err, &ce) || ce.Code != server.StatusStoreUnavailable {
				t.Fatalf("new session: %v, want a 4013 close", err)
			}
		})
	}
}
