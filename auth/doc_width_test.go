//go:build !js && !wasip1

package auth

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// maxDocLines bounds `go doc -all ./auth`: issue 13 measures the width of
// the package's API by it and aims at x/oauth2's (about 380 lines). A name
// only this repository needs belongs in package signin or autherr, and a
// long explanation in the code that applies it or the README.
const maxDocLines = 400

func TestDocWidth(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skip("no go tool to run go doc")
		}
	}
	out, err := exec.Command(goTool, "doc", "-all", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go doc -all: %v\n%s", err, out)
	}
	if n := bytes.Count(out, []byte("\n")); n > maxDocLines {
		t.Errorf("go doc -all ./auth is %d lines, more than %d: unexport or move what users do not need, or shorten doc comments that repeat the signature", n, maxDocLines)
	}
}
