//go:build !js

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/sandbox"
)

// TestJS runs this package's syscall/js tests under Node (GOOS=js
// GOARCH=wasm, Go's go_js_wasm_exec) against a sandbox homeserver this
// native process starts, in AutoApprove mode (alice), since WebAssembly
// cannot listen. The URL reaches the wasm tests as MXAUTH_TEST_SANDBOX.
//
// Node is needed; without it the test is skipped, unless CI is set.
func TestJS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the wasm tests; skipped in -short")
	}
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not on PATH; CI must run the wasm tests")
		}
		t.Skip("node is not on PATH")
	}
	goroot, err := exec.Command(goBin(), "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	wasmExec := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm")

	sb, err := sandbox.New(sandbox.Config{AutoApprove: "alice"})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	defer sb.Close()

	args := []string{"test", "-count=1"}
	if testing.Verbose() {
		args = append(args, "-v")
	}
	args = append(args, ".", "../browser/store", "../browser/fetchhttp")
	cmd := exec.Command(goBin(), args...)
	cmd.Env = append(wasmEnv(),
		"PATH="+wasmExec+string(os.PathListSeparator)+os.Getenv("PATH"),
		"MXAUTH_TEST_SANDBOX="+sb.URL(),
	)
	out, err := cmd.CombinedOutput()
	t.Logf("GOOS=js GOARCH=wasm go %s\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("wasm tests failed: %v", err)
	}
	if bytes.Contains(out, []byte("no test files")) || !bytes.Contains(out, []byte("ok")) {
		t.Fatalf("wasm tests did not run")
	}
}
