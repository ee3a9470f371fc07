//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/wasm/browser/store"
)

// The small build starts a legacy SSO login (issue 16): discover gives the
// provider buttons, startLogin the SSO redirect to the chosen provider
// with the login's state in redirectUrl, and the pending legacy login is
// in the Store for the session build's completeLogin.
func TestLegacyStart(t *testing.T) {
	base := os.Getenv("MXAUTH_TEST_LEGACY")
	if base == "" {
		t.Skip("MXAUTH_TEST_LEGACY is not set: run `go test ./wasm/browser` natively")
	}
	st := signin.NewMemoryStore()
	a := newAPI(config{Timeout: 5 * time.Second, Mode: store.StorageMemory,
		Open: func(context.Context) (*store.Storage, error) {
			return &store.Storage{Store: st, Mode: store.StorageMemory}, nil
		}})
	t.Cleanup(a.release)
	api := a.value()

	info, reason, rejected := settle(t, api.Call("discover", base))
	if rejected {
		t.Fatalf("discover: %s", jsonOf(reason))
	}
	p := info.Get("hints").Get("providers")
	if !info.Get("oauth").IsNull() || p.Length() != 2 || p.Index(0).Get("label").String() != "Continue with GitHub" {
		t.Fatalf("discover: %s", jsonOf(info))
	}
	opts := obj("server", info, "idp", "oidc-github", "action", "register", "redirectUri", "http://127.0.0.1:9/callback",
		"client", obj("name", "mxauth small build test", "uri", "https://app.example.org/"))
	v, reason, rejected := settle(t, api.Call("startLogin", opts))
	if rejected {
		t.Fatalf("startLogin: %s", jsonOf(reason))
	}
	u, err := url.Parse(v.Get("url").String())
	if err != nil || u.Path != "/_matrix/client/v3/login/sso/redirect/oidc-github" || u.Query().Get("action") != "register" {
		t.Fatalf("startLogin url %s", v.Get("url").String())
	}
	back, _ := url.Parse(u.Query().Get("redirectUrl"))
	state := back.Query().Get("state")
	b, _ := st.Get(context.Background(), signin.PendingPrefix+state)
	var rec signin.PendingRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.Kind != signin.KindLegacy || rec.BaseURL != base || rec.Verifier != "" {
		t.Fatalf("pending record %s: %v", b, err)
	}
	// A provider the server does not list is refused before any request.
	opts.Set("idp", "../../logout")
	if _, reason, rejected := settle(t, api.Call("startLogin", opts)); !rejected || reason.Get("code").String() != "invalid_input" {
		t.Fatalf("a crafted idp: %s", jsonOf(reason))
	}
}
