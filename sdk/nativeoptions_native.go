//go:build !js

package sdk

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"time"
)

// NativeOptions are the settings only the native build has.
type NativeOptions struct {
	// HTTPClient makes the upgrade request; nil means a client like
	// http.DefaultClient. Its Timeout must be 0 (DialTimeout bounds dials).
	// redial wraps (a copy of) it so that, whatever its Transport, a TCP
	// stream that ends before a close frame ends the connection as 1006
	// and never hands over part of a message as a whole one.
	HTTPClient *http.Client
	// TLSConfig, when set, is used for wss when the upgrade goes through a
	// transport of redial's own: HTTPClient is nil, or its Transport is.
	// A client with a Transport of its own uses that transport's TLS
	// settings, and TLSConfig is ignored.
	TLSConfig *tls.Config
	// Host overrides the Host header.
	Host string
}

// validate refuses what the native dial could never use.
func (n *NativeOptions) validate() error {
	if n == nil || n.HTTPClient == nil {
		return nil
	}
	if n.HTTPClient.Timeout != 0 {
		return &OptionError{"Native.HTTPClient", fmt.Sprintf("has Timeout %v; it must be 0: Options.DialTimeout bounds each attempt",
			n.HTTPClient.Timeout.Round(time.Millisecond))}
	}
	return nil
}
