//go:build !js

package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The SDK's browser transport helper has one source, sdk/jshelper.js: the
// SDK embeds it and the npm bundle includes it. The SDK checks a helper it
// finds on the page by its protocol version, a constant in Go: it must be
// the version the helper's source states.
func TestTransportHelperVersionMatches(t *testing.T) {
	goSrc := read(t, "../sdk/jshelper_js.go")
	jsSrc := read(t, "../sdk/jshelper.js")
	goVer := regexp.MustCompile(`(?m)^const jsHelperVersion = (\d+)$`).FindStringSubmatch(goSrc)
	jsVer := regexp.MustCompile(`(?m)^    version: (\d+),`).FindStringSubmatch(jsSrc)
	if goVer == nil || jsVer == nil {
		t.Fatalf("no version found: jsHelperVersion %q in sdk/jshelper_js.go, version field %q in sdk/jshelper.js", goVer, jsVer)
	}
	if goVer[1] != jsVer[1] {
		t.Errorf("sdk/jshelper.js says version %s, sdk/jshelper_js.go has jsHelperVersion %s", jsVer[1], goVer[1])
	}
	if !strings.Contains(jsSrc, "\nfunction redialTransportHelper() {\n") {
		t.Error("sdk/jshelper.js must declare function redialTransportHelper (the SDK calls it by that name)")
	}
}

// The helper compiles and makes its object, as the SDK's new Function does
// (run in Node, which has TextEncoder and MessageChannel like a page).
func TestTransportHelperCompiles(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not on PATH")
	}
	src := read(t, "../sdk/jshelper.js")
	script := `const src = require("fs").readFileSync(0, "utf8");
const h = new Function(src + "\nreturn redialTransportHelper();")();
if (typeof h.attach !== "function") throw new Error("no attach");
process.stdout.write(String(h.version));`
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = strings.NewReader(src)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if want := regexp.MustCompile(`(?m)^const jsHelperVersion = (\d+)$`).FindStringSubmatch(read(t, "../sdk/jshelper_js.go"))[1]; string(out) != want {
		t.Errorf("the helper's version is %s, want %s", out, want)
	}
}

func read(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
