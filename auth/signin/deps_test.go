package signin_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoNetHTTP guards the point of this package (DESIGN.md, "The WASM
// builds, on purpose"): the sign-in core links neither net/http nor
// x/oauth2 nor go-oidc, natively or in the js/wasm build, so that the small
// build stays small.
func TestNoNetHTTP(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		cmd := exec.Command(goTool, "list", "-deps", ".")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps (%v): %v", env, err)
		}
		for _, pkg := range strings.Fields(string(out)) {
			if pkg == "net/http" || strings.HasPrefix(pkg, "net/http/") ||
				strings.HasPrefix(pkg, "golang.org/x/oauth2") || strings.HasPrefix(pkg, "github.com/coreos/go-oidc") {
				t.Errorf("auth/signin (%v) depends on %s", env, pkg)
			}
		}
	}
}
