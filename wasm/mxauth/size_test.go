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

// budgetBrotli is mxauth.wasm's size budget (issue 5, "Budgets"):
// 2.25 MiB brotli -q 11, stripped. net/http, x/oauth2, go-oidc and
// hackpadfs/indexeddb alone take about 2.03 MiB of it.
const budgetBrotli = 2304 << 10

func goBin() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func wasmEnv() []string { return append(os.Environ(), "GOOS=js", "GOARCH=wasm") }

// TestNoGoApp guards the split of DESIGN.md ("Three WASM builds"): go-app
// owns the whole page, so the build embedded in other people's pages must
// not link it.
func TestNoGoApp(t *testing.T) {
	cmd := exec.Command(goBin(), "list", "-deps", ".")
	cmd.Env = wasmEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/maxence-charriere/go-app") {
			t.Errorf("mxauth.wasm depends on %s", p)
		}
	}
}

// TestSize builds mxauth.wasm as `make npm` does and checks the brotli
// budget, printing raw, gzip and brotli sizes. brotli(1) is needed for the
// budget: without it the test skips that part, except in CI (CI set), where
// it fails (Debian package brotli).
func TestSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mxauth.wasm; skipped in -short")
	}
	wasm := filepath.Join(t.TempDir(), "mxauth.wasm")
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
	t.Logf("mxauth.wasm: raw %d B (%.1f KiB), gzip -9 %d B (%.1f KiB)", len(raw), kib(len(raw)), gz.Len(), kib(gz.Len()))

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
	t.Logf("mxauth.wasm: brotli -q 11 %d B (%.1f KiB), budget %.0f KiB", len(br), kib(len(br)), kib(budgetBrotli))
	if len(br) > budgetBrotli {
		t.Errorf("mxauth.wasm is %.1f KiB brotli, over its %.0f KiB budget; see `go tool nm -size -sort size`", kib(len(br)), kib(budgetBrotli))
	}
}

func kib(n int) float64 { return float64(n) / 1024 }
