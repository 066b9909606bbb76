package sdk

import (
	"time"

	"github.com/redial-ws/redial/internal/sdkhooks"
)

// The clock, the random source and the browser writer's yield switch are
// set through internal/sdkhooks, not Options fields: only tests and the
// wasm layer use them, so they stay out of the public API.
func init() {
	sdkhooks.Register(func(opts any) *sdkhooks.Hooks { return &opts.(*Options).hooks })
}

// realClock is the clock when no test injected one.
type realClock struct{}

func (realClock) Now() time.Time                          { return time.Now() }
func (realClock) NewTimer(d time.Duration) sdkhooks.Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.t.C }
func (t realTimer) Stop() bool          { return t.t.Stop() }
