//go:build !js

package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// budgetBrotli is preview.wasm's size budget (issue 5, "Budgets"):
// 900 KiB brotli -q 11, stripped. A page that only shows a room card
// should not pay for the login build.
const budgetBrotli = 900 << 10

func goBin() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func wasmEnv() []string { return append(os.Environ(), "GOOS=js", "GOARCH=wasm") }

// TestNoNetHTTP guards the point of this build (DESIGN.md, "Three WASM
// builds"): importing net/http at all costs ~0.6 MiB brotli.
func TestNoNetHTTP(t *testing.T) {
	cmd := exec.Command(goBin(), "list", "-deps", ".")
	cmd.Env = wasmEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "net/http" || strings.HasPrefix(p, "net/http/") || p == "github.com/maxence-charriere/go-app/v10/pkg/app" {
			t.Errorf("preview.wasm depends on %s", p)
		}
	}
}

// TestSize builds preview.wasm as `make npm` does and checks the brotli
// budget, printing raw, gzip and brotli sizes. brotli(1) is needed for the
// budget: without it the test skips that part, except in CI (CI set), where
// it fails (Debian package brotli).
func TestSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds preview.wasm; skipped in -short")
	}
	wasm := filepath.Join(t.TempDir(), "preview.wasm")
	cmd := exec.Command(goBin(), "build", "-trimpath", "-ldflags=-s -w", "-tags", "nethttpomithttp2", "-o", wasm, ".")
	cmd.Env = wasmEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	t.Logf("preview.wasm: raw %d B (%.1f KiB), gzip -9 %d B (%.1f KiB)", len(raw), kib(len(raw)), gz.Len(), kib(gz.Len()))

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
	t.Logf("preview.wasm: brotli -q 11 %d B (%.1f KiB), budget %.0f KiB", len(br), kib(len(br)), kib(budgetBrotli))
	if len(br) > budgetBrotli {
		t.Errorf("preview.wasm is %.1f KiB brotli, over its %.0f KiB budget; see `go tool nm -size -sort size`", kib(len(br)), kib(budgetBrotli))
	}
}

func kib(n int) float64 { return float64(n) / 1024 }
