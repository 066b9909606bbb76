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
	// and never hands over part of a message as a whole one. Its
	// CheckRedirect is replaced: redirects are never followed (a 3xx is a
	// *HandshakeError), as in browsers. An *http.Transport with a Proxy is
	// cloned per attempt (the app's is not modified) to learn the status
	// of a refused CONNECT; its OnProxyConnectResponse still runs first.
	HTTPClient *http.Client
	// TLSConfig, when set, is used for wss when the upgrade goes through a
	// transport of redial's own: HTTPClient is nil, or its Transport is.
	// A client with a Transport of its own uses that transport's TLS
	// settings, and TLSConfig is ignored.
	TLSConfig *tls.Config
	// Host overrides the Host header: host[:port] in ASCII (an
	// internationalized name in its xn-- form), else Dial returns an
	// *OptionError ("" means the URL's host).
	Host string
}

// validate refuses what the native dial could never use.
func (n *NativeOptions) validate() error {
	if n == nil {
		return nil
	}
	if err := validateHost(n.Host); err != nil {
		return err
	}
	if n.HTTPClient == nil {
		return nil
	}
	if n.HTTPClient.Timeout != 0 {
		return &OptionError{"Native.HTTPClient", fmt.Sprintf("has Timeout %v; it must be 0: Options.DialTimeout bounds each attempt",
			n.HTTPClient.Timeout.Round(time.Millisecond))}
	}
	return nil
}
