package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestQRLibraryOnlyInCLI guards that the QR encoder, which only the CLI
// draws with, never reaches a WebAssembly build or the library: the wasm
// builds are measured in bytes (DESIGN.md).
func TestQRLibraryOnlyInCLI(t *testing.T) {
	for _, c := range []struct {
		env  []string
		pkgs string
	}{
		{[]string{"GOOS=js", "GOARCH=wasm"}, "github.com/mxauth/mxauth/wasm/..."},
		{nil, "github.com/mxauth/mxauth/auth/..."},
		{nil, "github.com/mxauth/mxauth/app/..."},
	} {
		cmd := exec.Command("go", "list", "-deps", c.pkgs)
		cmd.Env = append(os.Environ(), c.env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", c.pkgs, err, out)
		}
		for _, pkg := range strings.Fields(string(out)) {
			if strings.HasPrefix(pkg, "github.com/piglig/go-qr") {
				t.Errorf("%s %s depends on %s", strings.Join(c.env, " "), c.pkgs, pkg)
			}
		}
	}
}
