//go:build !js

package sdk

import (
	"errors"
	"net/url"
)

// parseURL is net/url's verdict on u: what it refuses (a bad %-escape in
// the path, userinfo or host) net/http refuses on every attempt, so it
// could never be dialed. "" when u parses. net/url costs nothing here
// (net/http links it); in the browser it adds 40 KB gzipped (measured
// with Go 1.26.8, gzip -9 of redial.wasm), hence url_js.go.
func parseURL(u string) string {
	_, err := url.Parse(u)
	if err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // without the URL, which may hold a secret
	}
	return err.Error() + " (write a literal % as %25)"
}
