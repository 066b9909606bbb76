//go:build js

package sdk

// NativeOptions exist only natively; in the browser the struct is empty
// and Options.Native is ignored.
type NativeOptions struct{}

// validate: NativeOptions is empty in the browser build. (There is no
// finalDial here: a page cannot see why a WebSocket failed — TLS, DNS and
// refused ports all look alike, an error event then close 1006 — so no
// dial failure is known to be final.)
func (*NativeOptions) validate() error { return nil }
