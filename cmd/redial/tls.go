package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// loadTLS builds the TLS settings -n/--no-check and --ca ask for; nil when
// neither is given (the SDK's defaults: the system's roots).
func (cfg *config) loadTLS() error {
	if !cfg.insecure && cfg.caFile == "" {
		return nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.caFile != "" {
		pem, err := os.ReadFile(cfg.caFile)
		if err != nil {
			return fmt.Errorf("%w: --ca: %v", errUsage, err)
		}
		// Only FILE's certificates, as wscat's --ca (Node's ca option)
		// replaces the default roots.
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%w: --ca %s holds no PEM certificate", errUsage, cfg.caFile)
		}
		t.RootCAs = pool
	}
	// InsecureSkipVerify checks neither the chain nor the name: what
	// wscat's -n and websocat's -k do.
	t.InsecureSkipVerify = cfg.insecure
	cfg.tls = t
	return nil
}

// insecureWarning is printed on stderr at start with -n/-k, so a terminal
// recording or a log shows that the connection was not authenticated.
const insecureWarning = "WARNING: -n/--no-check: the server's TLS certificate is NOT checked; " +
	"anyone on the path can read and change this connection"
