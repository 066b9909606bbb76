//go:build !js

package sdk_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/redial-ws/redial/sdk"
)

// testCert is a self-signed certificate made in the test, for names.
type testCert struct {
	cert tls.Certificate
	pool *x509.CertPool // trusts exactly this certificate
}

func newTestCert(t *testing.T, dnsNames []string, ips []net.IP, notBefore, notAfter time.Time) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "redial test"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              dnsNames,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return testCert{tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool}
}

var loopback = []net.IP{net.IPv4(127, 0, 0, 1)}

// tlsServer is a WebSocket echo server over TLS on loopback. conns counts
// the TCP connections it accepted: one per attempt.
type tlsServer struct {
	url   string
	conns atomic.Int32
}

func startTLSServer(t *testing.T, cfg *tls.Config) *tlsServer {
	t.Helper()
	ts := &tlsServer{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, p, err := c.Read(r.Context())
			if err != nil || c.Write(r.Context(), typ, p) != nil {
				return
			}
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ts.conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ts.url = "wss" + strings.TrimPrefix(srv.URL, "https")
	return ts
}

// wantPermanent dials once and expects Dial to give up at once (no retry)
// with ErrPermanent, text containing want, and errors.As reaching as.
func wantPermanent(t *testing.T, url string, o *sdk.Options, want string, as ...any) {
	t.Helper()
	o = fast(o)
	rec := newRecorder(o)
	start := time.Now()
	c, err := sdk.Dial(ctxT(t), url, o)
	if c != nil {
		_ = c.Close(sdk.StatusNormalClosure, "")
		t.Fatal("Dial succeeded")
	}
	if !errors.Is(err, sdk.ErrPermanent) {
		t.Fatalf("Dial = %v (after %v), want ErrPermanent", err, time.Since(start))
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("err %q does not say %q", err, want)
	}
	for _, target := range as {
		if !errors.As(err, target) {
			t.Errorf("errors.As(err, %T) = false; err = %v", target, err)
		}
	}
	for _, e := range rec.Drain() {
		if strings.Contains(e, "reconnecting") {
			t.Errorf("a permanent failure was retried: %s", e)
		}
	}
}

// §4 of issue 8: wss:// to a server whose certificate is not trusted
// retried forever; Dial(context.Background()) never returned.
func TestTLSUntrustedCertificateIsFinal(t *testing.T) {
	s := startTLSServer(t, nil) // httptest's own certificate: no one trusts it
	wantPermanent(t, s.url+"/", nil, "certificate", new(*tls.CertificateVerificationError), new(x509.UnknownAuthorityError))
	if n := s.conns.Load(); n != 1 {
		t.Errorf("server saw %d connections, want 1 (no retry)", n)
	}
}

func TestTLSCertificateFailuresAreFinal(t *testing.T) {
	now := time.Now()
	t.Run("host name mismatch", func(t *testing.T) {
		tc := newTestCert(t, []string{"example.com"}, nil, now.Add(-time.Hour), now.Add(time.Hour))
		s := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{tc.cert}})
		o := &sdk.Options{Native: &sdk.NativeOptions{TLSConfig: &tls.Config{RootCAs: tc.pool}}}
		wantPermanent(t, s.url+"/", o, "certificate", new(x509.HostnameError))
	})
	t.Run("expired", func(t *testing.T) {
		tc := newTestCert(t, nil, loopback, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
		s := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{tc.cert}})
		o := &sdk.Options{Native: &sdk.NativeOptions{TLSConfig: &tls.Config{RootCAs: tc.pool}}}
		var cie x509.CertificateInvalidError
		wantPermanent(t, s.url+"/", o, "certificate", &cie)
		if cie.Reason != x509.Expired {
			t.Errorf("reason %v, want Expired", cie.Reason)
		}
	})
	t.Run("TLS version mismatch", func(t *testing.T) {
		tc := newTestCert(t, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour))
		s := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{tc.cert}, MaxVersion: tls.VersionTLS12})
		o := &sdk.Options{Native: &sdk.NativeOptions{TLSConfig: &tls.Config{RootCAs: tc.pool, MinVersion: tls.VersionTLS13}}}
		wantPermanent(t, s.url+"/", o, "protocol version not supported")
	})
	t.Run("no common cipher suite", func(t *testing.T) {
		tc := newTestCert(t, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour))
		s := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{tc.cert}, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
		o := &sdk.Options{Native: &sdk.NativeOptions{TLSConfig: &tls.Config{RootCAs: tc.pool, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}}}}
		wantPermanent(t, s.url+"/", o, "handshake failure")
	})
	t.Run("plain HTTP on a wss port", func(t *testing.T) {
		s := startServer(t)
		wantPermanent(t, strings.Replace(s.URL("/echo"), "ws://", "wss://", 1), nil, "does not speak TLS")
	})
	t.Run("not TLS at all on a wss port", func(t *testing.T) {
		// An SSH server, say: its banner is no TLS record.
		addr := rawServer(t, func(c net.Conn) { _, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n")) })
		wantPermanent(t, "wss://"+addr+"/", nil, "does not speak TLS", new(tls.RecordHeaderError))
	})
}

// The control: the same servers, trusted, open; and TLSConfig applies when
// HTTPClient is set with a nil Transport (NativeOptions.TLSConfig's doc).
func TestTLSTrustedCertificateOpens(t *testing.T) {
	now := time.Now()
	tc := newTestCert(t, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour))
	s := startTLSServer(t, &tls.Config{Certificates: []tls.Certificate{tc.cert}})
	for name, n := range map[string]*sdk.NativeOptions{
		"TLSConfig alone":                        {TLSConfig: &tls.Config{RootCAs: tc.pool}},
		"TLSConfig with a Transport-less client": {TLSConfig: &tls.Config{RootCAs: tc.pool}, HTTPClient: &http.Client{}},
	} {
		t.Run(name, func(t *testing.T) {
			c := dial(t, s.url+"/", fast(&sdk.Options{Native: n}))
			echo(t, c, "over TLS")
		})
	}
}

// rawServer accepts TCP on loopback and runs fn on each connection, then
// closes it; it returns the address.
func rawServer(t *testing.T, fn func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fn(c)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
	})
	return ln.Addr().String()
}
