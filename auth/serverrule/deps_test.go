package serverrule_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestLeaf guards what makes this package the one home of the server rules
// for every build: it links no net/http (the small WASM build shares it)
// and of this module imports only auth/autherr.
func TestLeaf(t *testing.T) {
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
			if pkg == "net/http" || strings.HasPrefix(pkg, "net/http/") {
				t.Errorf("auth/serverrule (%v) depends on %s", env, pkg)
			}
			if strings.HasPrefix(pkg, "github.com/mxauth/mxauth/") &&
				pkg != "github.com/mxauth/mxauth/auth/serverrule" && pkg != "github.com/mxauth/mxauth/auth/autherr" {
				t.Errorf("auth/serverrule (%v) imports %s; only auth/autherr is allowed", env, pkg)
			}
		}
	}
}
