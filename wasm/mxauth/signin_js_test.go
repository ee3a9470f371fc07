//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/wasm/browser/store"
)

// The small build signs a person in as far as a signed-out page goes:
// discover, startLogin (the pending login lands in the Store, for the
// session build's completeLogin), session() from the Store without tokens.
func TestSignIn(t *testing.T) {
	base, _ := sandboxServer(t)
	st := signin.NewMemoryStore()
	opened := 0
	a := newAPI(config{Timeout: 5 * time.Second, Mode: store.StorageMemory,
		Open: func(context.Context) (*store.Storage, error) {
			opened++
			return &store.Storage{Store: st, Mode: store.StorageMemory}, nil
		}})
	t.Cleanup(a.release)
	api := a.value()

	// A room card opens no storage.
	publicID := sandbox.RoomID(sandbox.RoomPublic, strings.TrimPrefix(base, "http://"))
	if _, reason, rejected := settle(t, api.Call("roomSummary", publicID, obj("server", base))); rejected {
		t.Fatalf("roomSummary: %s", jsonOf(reason))
	}
	if opened != 0 {
		t.Fatalf("roomSummary opened the storage")
	}

	info, reason, rejected := settle(t, api.Call("discover", base))
	if rejected {
		t.Fatalf("discover: %s", jsonOf(reason))
	}
	if info.Get("oauth").Get("issuer").Type() != js.TypeString || info.Get("hints").Get("continueWith").String() == "" {
		t.Fatalf("discover: %s", jsonOf(info))
	}
	if opened != 1 {
		t.Fatalf("storage opened %d times, want 1", opened)
	}

	if s, reason, rejected := settle(t, api.Call("session")); rejected || !s.IsNull() {
		t.Fatalf("session() before any login: %s %s", jsonOf(s), jsonOf(reason))
	}

	opts := obj("server", base, "redirectUri", "http://127.0.0.1:9/callback",
		"client", obj("name", "mxauth small build test", "uri", "https://app.example.org/"))
	v, reason, rejected := settle(t, api.Call("startLogin", opts))
	if rejected {
		t.Fatalf("startLogin: %s", jsonOf(reason))
	}
	u, err := url.Parse(v.Get("url").String())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for _, k := range []string{"client_id", "state", "code_challenge", "redirect_uri", "scope"} {
		if q.Get(k) == "" {
			t.Errorf("authorization URL lacks %s: %s", k, u)
		}
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("response_type") != "code" || q.Get("response_mode") != "fragment" {
		t.Errorf("authorization URL %s", u)
	}
	// The pending login is in the Store under the state, with the
	// verifier whose S256 challenge went out.
	b, _ := st.Get(context.Background(), signin.PendingPrefix+q.Get("state"))
	var rec signin.PendingRecord
	if err := json.Unmarshal(b, &rec); err != nil || rec.Verifier == "" || rec.RedirectURI != "http://127.0.0.1:9/callback" {
		t.Fatalf("pending record %s: %v", b, err)
	}
	if opened != 1 {
		t.Fatalf("storage opened %d times, want 1", opened)
	}

	// A session the session build stored reads back without tokens.
	ctx := context.Background()
	full := `{"userId":"@alice:example.org","deviceId":"DEVICEID01","serverName":"example.org","baseUrl":"https://example.org",` +
		`"issuer":"https://auth.example.org/","clientId":"c1","scope":["openid"],"accessToken":"secret-access","refreshToken":"secret-refresh",` +
		`"expiresAt":1800000000000,"tokenEndpoint":"https://auth.example.org/token"}`
	_ = st.Put(ctx, signin.SessionPrefix+"abc", []byte(full))
	_ = st.Put(ctx, signin.CurrentSessionKey, []byte("abc"))
	s, reason, rejected := settle(t, api.Call("session"))
	if rejected {
		t.Fatalf("session(): %s", jsonOf(reason))
	}
	if got := jsonOf(s); strings.Contains(got, "secret") || strings.Contains(got, "Token\"") {
		t.Errorf("session() carries a token: %s", got)
	}
	if s.Get("userId").String() != "@alice:example.org" || s.Get("deviceId").String() != "DEVICEID01" || s.Get("expiresAt").Int() != 1800000000000 {
		t.Errorf("session() = %s", jsonOf(s))
	}
}

// A refused option fails before any work, with invalid_input.
func TestStartLoginRejects(t *testing.T) {
	api := newTestAPI(t)
	for _, opts := range []js.Value{js.Undefined(), js.ValueOf("matrix.org"), obj("server", 5)} {
		_, reason, rejected := settle(t, api.Call("startLogin", opts))
		if !rejected || reason.Get("code").String() != "invalid_input" {
			t.Errorf("startLogin(%s): %s", jsonOf(opts), jsonOf(reason))
		}
	}
}
