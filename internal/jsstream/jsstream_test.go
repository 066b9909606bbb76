package jsstream

import (
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSourceDeclaresExpr: Expr calls the function the script declares (sdk
// and the conformance suite compile Source + "return " + Expr).
func TestSourceDeclaresExpr(t *testing.T) {
	name := strings.TrimSuffix(Expr, "()")
	if !strings.Contains(Source, "\nfunction "+name+"() {") {
		t.Fatalf("jsstream.js does not declare function %s(), which Expr (%q) calls", name, Expr)
	}
}
