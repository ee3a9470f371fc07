package room_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoNetHTTP guards the point of this package (DESIGN.md, "Three WASM
// builds"): room must not link net/http, directly or through anything it
// imports, natively or in the js/wasm build; and of this module it may use
// only auth/autherr, auth/fetch and auth/serverrule.
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
			if pkg == "net/http" || strings.HasPrefix(pkg, "net/http/") {
				t.Errorf("auth/room (%v) depends on %s", env, pkg)
			}
			// On js/wasm the standard library itself (syscall, os) uses
			// syscall/js, so that check holds natively only.
			if pkg == "syscall/js" && env == nil {
				t.Errorf("auth/room (%v) depends on syscall/js", env)
			}
			if strings.HasPrefix(pkg, "github.com/mxauth/mxauth/") &&
				pkg != "github.com/mxauth/mxauth/auth/room" && pkg != "github.com/mxauth/mxauth/auth/autherr" &&
				pkg != "github.com/mxauth/mxauth/auth/fetch" && pkg != "github.com/mxauth/mxauth/auth/serverrule" {
				t.Errorf("auth/room (%v) imports %s; only auth/autherr, auth/fetch and auth/serverrule are allowed", env, pkg)
			}
		}
	}
}
