//go:build !js

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The browser build must not link net/http: it would more than double
// redial.wasm. This runs natively (go test
// ./wasm) and asks the go command what GOOS=js GOARCH=wasm links.
func TestBrowserBuildDeps(t *testing.T) {
	touchSources(t)
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps (GOOS=js GOARCH=wasm): %v\n%s", err, stderr)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps printed nothing")
	}
	forbidden := map[string]string{
		"net/http":       "adds ~1.5 MB gzip",
		"crypto/tls":     "comes with net/http",
		"compress/flate": "compression belongs to the browser",
	}
	for _, d := range deps {
		if why, bad := forbidden[d]; bad {
			t.Errorf("the browser build links %s (%s); keep it out of ./wasm and the sdk's js files", d, why)
		}
	}
}

// touchSources reads the sources whose imports decide the answer, so that go
// test's cache (which sees files a test opens, not what a child process
// reads) reruns the test when one of them changes.
func touchSources(t *testing.T) {
	t.Helper()
	for _, pattern := range []string{"*.go", "../sdk/*.go", "../go.mod", "../go.sum"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if _, err := os.ReadFile(f); err != nil {
				t.Fatal(err)
			}
		}
	}
}
