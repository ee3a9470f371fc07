package auth

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCoreHasNoBrowserDeps guards DESIGN.md's one-way dependencies: the core
// builds, tests and fuzzes natively, so nothing under auth/ may pull in
// syscall/js or go-app.
func TestCoreHasNoBrowserDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/mxauth/mxauth/auth/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "syscall/js" || strings.HasPrefix(pkg, "github.com/maxence-charriere/go-app") {
			t.Errorf("auth/... depends on %s", pkg)
		}
	}
}

// TestJSFilesCarryBuildTag guards that browser-only files build only for
// js/wasm: a *_js.go file name alone also matches nothing but GOOS=js, and a
// bare "wasm" tag would also match WASI.
func TestJSFilesCarryBuildTag(t *testing.T) {
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "dist" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_js.go") && !strings.HasSuffix(path, "_js_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			if line != "//go:build js && wasm" {
				t.Errorf("%s: first line is %q, want //go:build js && wasm", path, line)
			}
			break
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
