//go:build !js

package main

import (
	"testing"

	"github.com/mxauth/mxauth/wasm/internal/wasmtest"
)

// budgetBrotli is issue 11's budget for mxauth.wasm: 900 KiB brotli -q 11,
// stripped, everything a signed-out page downloads before the first click.
// On go1.26.8 the build went from 1058.0 KiB (when it was split) to 1024.2
// KiB without Go's FIPS module (no crypto/rand or crypto/sha256:
// TestNoFIPSModule), to 920.9 KiB built without inlining (smallFlags) and
// to 840.3 KiB with its data segments packed (wasmpack). Brotli moves a
// few KiB either way with the layout of the module.
const budgetBrotli = 900 << 10

// smallFlags are the Makefile's SMALLFLAGS beyond WASMFLAGS: no inlining.
// Inlining copies function bodies into their callers and adds inline trees
// to the pc tables; without it this build is ~100 KiB smaller in brotli,
// and it starts as fast (its work is waiting on fetch and IndexedDB).
var smallFlags = []string{"-gcflags=all=-l"}

// TestNoNetHTTP guards the point of this build (DESIGN.md, "The WASM
// builds, on purpose"): importing net/http at all costs ~0.6 MiB brotli,
// and x/oauth2 and go-oidc need it; go-app owns the whole page.
func TestNoNetHTTP(t *testing.T) {
	wasmtest.NoDeps(t, "mxauth.wasm", "net/http", "golang.org/x/oauth2", "github.com/coreos/go-oidc",
		"github.com/coreos/go-oidc/v3", "github.com/maxence-charriere/go-app/v10")
}

// TestNoFIPSModule guards issue 11's crypto cut: crypto/rand or
// crypto/sha256 link Go's FIPS 140 module (DRBG, AES-GCM, SHA-3, SHA-512,
// HMAC; math/big beside it), ~35 KB brotli. This build takes its
// randomness from crypto.getRandomValues (browser.Random) and SHA-256 from
// auth/digest.
func TestNoFIPSModule(t *testing.T) {
	wasmtest.NoDeps(t, "mxauth.wasm", "crypto/rand", "crypto/sha256", "crypto/cipher",
		"crypto/internal/fips140", "math/big")
}

// TestSize builds mxauth.wasm as `make npm` does and checks the budget.
func TestSize(t *testing.T) {
	wasmtest.Budget(t, "mxauth.wasm", budgetBrotli, smallFlags...)
}
