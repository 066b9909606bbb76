//go:build !js

package main

import (
	"os"
	"strings"
	"testing"
)

// The SDK's browser transport compiles its JS helper (sdk/jshelper_js.go,
// jsHelperSource) with new Function unless redial-ws's index.js defined it
// already, for pages whose Content-Security-Policy forbids eval: the two
// copies must be the same code.
func TestTransportHelperCopiesMatch(t *testing.T) {
	goSrc := between(t, "../sdk/jshelper_js.go", "const jsHelperSource = `", "`")
	jsSrc := between(t, "../js/index.js", "// BEGIN redial transport helper\n", "// END redial transport helper")
	if goSrc != jsSrc {
		a, b := strings.Split(goSrc, "\n"), strings.Split(jsSrc, "\n")
		for i := range max(len(a), len(b)) {
			var x, y string
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			if x != y {
				t.Fatalf("the transport helper in js/index.js differs from sdk/jshelper_js.go's jsHelperSource at line %d:\n  sdk: %q\n  js:  %q\ncopy it over (and bump both versions if the protocol changed)", i+1, x, y)
			}
		}
	}
	// One version everywhere: the helper's own, the SDK's and the shim's.
	v := between(t, "../sdk/jshelper_js.go", "const jsHelperVersion = ", "\n")
	if shim := between(t, "../js/index.js", "const TRANSPORT_HELPER_VERSION = ", ";"); shim != v {
		t.Errorf("js/index.js has TRANSPORT_HELPER_VERSION %s, sdk/jshelper_js.go has jsHelperVersion %s", shim, v)
	}
	if own := between(t, "../sdk/jshelper_js.go", "\n  version: ", ","); own != v {
		t.Errorf("the helper says version %s, sdk/jshelper_js.go has jsHelperVersion %s", own, v)
	}
}

func between(t *testing.T, file, start, end string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("%s: no %q", file, start)
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		t.Fatalf("%s: no %q after %q", file, end, start)
	}
	return s[:j]
}
