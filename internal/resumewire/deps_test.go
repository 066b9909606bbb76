//go:build !js

package resumewire

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// resumewire is compiled into the browser build (the SDK's client half):
// it must stay free of what bloats redial.wasm or does not belong there
// (DESIGN.md, "Browser facts"). Asks the go command what GOOS=js
// GOARCH=wasm links for this package.
func TestBrowserDeps(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files { // so go test's cache reruns when a source changes
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		if d == "fmt" || d == "encoding/json" || d == "log/slog" || d == "net" ||
			strings.HasPrefix(d, "net/") || strings.HasPrefix(d, "crypto") || strings.HasPrefix(d, "compress/") {
			t.Errorf("resumewire links %s under GOOS=js", d)
		}
	}
}
