package sdk

import "github.com/redial-ws/redial/internal/sdkhooks"

// newRxMark is the browser transport's (natively, rxMark is a field of
// nativeTransport, made with it).
func newRxMark(clk sdkhooks.Clock) *rxMark { return &rxMark{clk: clk} }
