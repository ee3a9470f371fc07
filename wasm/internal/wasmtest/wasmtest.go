//go:build !js

// Package wasmtest is what the native tests of the wasm builds share: run a
// package's syscall/js tests under Node, check a build's dependencies, and
// hold a build to its size budget. Native only: it runs the go command.
package wasmtest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/wasm/internal/wasmpack"
)

// GoBin is the go command that runs the tests, else GOROOT's.
func GoBin() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// Env is the environment of a js/wasm go command.
func Env() []string { return append(os.Environ(), "GOOS=js", "GOARCH=wasm") }

// RunJS runs the GOOS=js tests of pkgs (paths relative to the calling
// test's package) under Node with Go's go_js_wasm_exec, with env added to
// the environment (go_js_wasm_exec passes it on: WebAssembly cannot
// listen, so a native test starts the servers and names them there).
// Without node it skips, except in CI (CI set), where it fails.
func RunJS(t *testing.T, pkgs []string, env ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the wasm tests; skipped in -short")
	}
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not on PATH; CI must run the wasm tests")
		}
		t.Skip("node is not on PATH")
	}
	goroot, err := exec.Command(GoBin(), "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	wasmExec := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm")
	list := exec.Command(GoBin(), append([]string{"list"}, pkgs...)...)
	list.Env = Env()
	paths, err := list.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", pkgs, err)
	}
	args := []string{"test", "-count=1"}
	if testing.Verbose() {
		args = append(args, "-v")
	}
	args = append(args, pkgs...)
	cmd := exec.Command(GoBin(), args...)
	cmd.Env = append(Env(), "PATH="+wasmExec+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	t.Logf("GOOS=js GOARCH=wasm go %s\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("wasm tests failed: %v", err)
	}
	if err := ranAll(out, strings.Fields(string(paths))); err != nil {
		t.Fatalf("wasm tests did not run: %v", err)
	}
}

// ranAll reads go test's summary lines: every package in paths must have
// its own "ok <path> <time>" line, with tests in it. Any "ok" in the output
// is no proof ("token" has one).
func ranAll(out []byte, paths []string) error {
	if len(paths) == 0 {
		return errors.New("no packages")
	}
	if bytes.Contains(out, []byte("testing: warning: no tests to run")) {
		return errors.New("a package ran no tests")
	}
	for _, p := range paths {
		line := regexp.MustCompile(`(?m)^ok\s+` + regexp.QuoteMeta(p) + `\s+(.*)$`).FindSubmatch(out)
		if line == nil {
			return fmt.Errorf("no ok line for %s", p)
		}
		if bytes.Contains(line[1], []byte("[no test files]")) || bytes.Contains(line[1], []byte("[no tests to run]")) {
			return fmt.Errorf("%s has no tests that ran", p)
		}
	}
	return nil
}

// NoDeps fails t for every package of the js/wasm build of the calling
// test's package that is in banned or under one of them.
func NoDeps(t *testing.T, build string, banned ...string) {
	t.Helper()
	cmd := exec.Command(GoBin(), "list", "-deps", ".")
	cmd.Env = Env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, b := range banned {
			if p == b || strings.HasPrefix(p, b+"/") {
				t.Errorf("%s depends on %s", build, p)
			}
		}
	}
}

// Budget builds the calling test's package as `make npm` does (stripped,
// -tags nethttpomithttp2, then flags: the build's own go build flags in the
// Makefile; then its data segments packed by wasmpack, checked to start
// the same memory), logs its raw, gzip -9 and brotli -q 11 sizes and fails
// over budget bytes of brotli. brotli(1) is needed for the budget: without it
// Budget skips, except in CI, where it fails.
func Budget(t *testing.T, name string, budget int, flags ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds " + name + "; skipped in -short")
	}
	wasm := filepath.Join(t.TempDir(), name)
	args := append([]string{"build", "-trimpath", "-ldflags=-s -w", "-tags", "nethttpomithttp2"}, flags...)
	cmd := exec.Command(GoBin(), append(args, "-o", wasm, ".")...)
	cmd.Env = Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	raw = pack(t, raw)
	if err := os.WriteFile(wasm, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	t.Logf("%s: raw %d B (%.1f KiB), gzip -9 %d B (%.1f KiB)", name, len(raw), kib(len(raw)), gz.Len(), kib(gz.Len()))
	if _, err := exec.LookPath("brotli"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("brotli is not installed (apt-get install brotli); CI must check the budget")
		}
		t.Skip("brotli is not installed (apt-get install brotli): budget not checked")
	}
	br, err := exec.Command("brotli", "-q", "11", "-c", wasm).Output()
	if err != nil {
		t.Fatalf("brotli: %v", err)
	}
	t.Logf("%s: brotli -q 11 %d B (%.1f KiB), budget %.0f KiB", name, len(br), kib(len(br)), kib(budget))
	if len(br) > budget {
		t.Errorf("%s is %.1f KiB brotli, over its %.0f KiB budget; `node web/bench/wasmsize.mjs` (on a build without -s -w) lists code bytes per package", name, kib(len(br)), kib(budget))
	}
}

// pack is what `make npm` does with wasmpack: join the data segments; the
// memory the module starts with must stay byte for byte the same.
func pack(t *testing.T, mod []byte) []byte {
	t.Helper()
	packed, err := wasmpack.Pack(mod)
	if err != nil {
		t.Fatalf("wasmpack: %v", err)
	}
	before, err := wasmpack.Segments(mod)
	if err != nil {
		t.Fatal(err)
	}
	after, err := wasmpack.Segments(packed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wasmpack.Image(before), wasmpack.Image(after)) {
		t.Fatal("wasmpack changed the memory image")
	}
	t.Logf("wasmpack: %d data segments -> %d", len(before), len(after))
	return packed
}

func kib(n int) float64 { return float64(n) / 1024 }
