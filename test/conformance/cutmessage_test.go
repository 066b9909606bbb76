package conformance_test

import (
	"fmt"
	"testing"

	"github.com/redial-ws/redial/sdk"
)

// TestCutMessageNeverDelivered (issue 8 §1): the server announces a
// 60,000-byte text message, sends n bytes of it and ends the TCP stream
// (FIN). Nothing may reach the app from that connection: it ends as 1006,
// the next one echoes. n = 0 and 512, 6080 (where coder/websocket's reads
// start, see sdk/eofguard_native.go) failed natively before the guard;
// 1000 is the control that never did. The browser passes by itself: its
// WebSocket fires message only for a complete message.
func TestCutMessageNeverDelivered(t *testing.T) {
	for _, n := range []int{0, 512, 1000, 6080} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newFixture(t)
			o := fast(nil)
			rec := newRecorder(o)
			c := dial(t, f.url(fmt.Sprintf("/cutmsg?n=%d", n)), o)
			e := rec.Next(t, "reconnecting", to(sdk.StateReconnecting))
			if e.Close == nil || e.Close.Code != sdk.StatusAbnormalClosure {
				t.Fatalf("after the cut: %v (close %+v), want 1006", e, e.Close)
			}
			rec.Next(t, "reopen", to(sdk.StateOpen))
			// A cut message delivered as whole would be read here first.
			echo(t, c, "after the cut")
		})
	}
}
