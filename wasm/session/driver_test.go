//go:build !js

package main

import (
	"testing"

	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/wasm/internal/wasmtest"
)

// TestJS runs the syscall/js tests of this package, wasm/browser/store and
// wasm/browser/fetchhttp under Node against a sandbox homeserver this
// native process starts, in AutoApprove mode (alice), since WebAssembly
// cannot listen. The URL reaches the wasm tests as MXAUTH_TEST_SANDBOX.
// Its control plane is on: the tests list the tokens it issued.
func TestJS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the wasm tests; skipped in -short")
	}
	// Control: the tests read /_sandbox/tokens to look for the real token
	// values where a page could see them.
	sb, err := sandbox.New(sandbox.Config{AutoApprove: "alice", Control: true})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	defer sb.Close()
	// A homeserver without OAuth 2.0 that signs in through SSO, with two
	// identity providers (issue 16), as MXAUTH_TEST_LEGACY.
	legacy, err := sandbox.New(sandbox.Config{AutoApprove: "alice", Legacy: true, IdentityProviders: []sandbox.IdentityProvider{
		{ID: "oidc-github", Name: "GitHub"}, {ID: "saml-corp", Name: "Corp SSO"}}})
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	defer legacy.Close()
	wasmtest.RunJS(t, []string{".", "../browser/store", "../browser/fetchhttp"}, "MXAUTH_TEST_SANDBOX="+sb.URL(), "MXAUTH_TEST_LEGACY="+legacy.URL())
}
