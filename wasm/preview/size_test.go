//go:build !js

package main

import (
	"testing"

	"github.com/mxauth/mxauth/wasm/internal/wasmtest"
)

// budgetBrotli is preview.wasm's size budget (issue 5, "Budgets"):
// 900 KiB brotli -q 11, stripped. A page that only shows a room card
// should not pay for the login build.
const budgetBrotli = 900 << 10

// TestNoNetHTTP guards the point of this build (DESIGN.md, "Three WASM
// builds"): importing net/http at all costs ~0.6 MiB brotli.
func TestNoNetHTTP(t *testing.T) {
	wasmtest.NoDeps(t, "preview.wasm", "net/http", "github.com/maxence-charriere/go-app/v10")
}

// TestSize builds preview.wasm as `make npm` does and checks the budget.
func TestSize(t *testing.T) { wasmtest.Budget(t, "preview.wasm", budgetBrotli) }
