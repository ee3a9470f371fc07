//go:build !js

package main

import (
	"testing"

	"github.com/mxauth/mxauth/wasm/internal/wasmtest"
)

// budgetBrotli is session.wasm's size budget (issues 5 and 11): 2.25 MiB
// brotli -q 11, stripped. net/http, x/oauth2, go-oidc and
// hackpadfs/indexeddb alone take about 2.03 MiB of it.
const budgetBrotli = 2304 << 10

// TestNoGoApp guards the split of DESIGN.md ("Three WASM builds"): go-app
// owns the whole page, so the build embedded in other people's pages must
// not link it.
func TestNoGoApp(t *testing.T) {
	wasmtest.NoDeps(t, "session.wasm", "github.com/maxence-charriere/go-app/v10")
}

// TestSize builds session.wasm as `make npm` does and checks the budget.
func TestSize(t *testing.T) { wasmtest.Budget(t, "session.wasm", budgetBrotli) }
