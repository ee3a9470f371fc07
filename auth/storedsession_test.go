package auth

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
)

// Both builds read and write the same Store records: a login through the
// native Client (the session build's path) is seen by a bare signin.Client
// on the same Store (the small build's path) as the same session, without
// its tokens; and a login the small build started completes here.
func TestSigninReadsSameRecords(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	ctx := context.Background()
	store := NewMemoryStore()
	c := loginClient(store)
	// Rand as the small build sets it (a js/wasm signin.Client has no
	// default source; the page's crypto.getRandomValues there).
	light := &signin.Client{Fetch: c.httpFetch, Store: store, Timeout: c.Timeout, Retry: c.Retry, Rand: rand.Reader}

	if s, err := light.StoredSession(ctx); s != nil || err != nil {
		t.Fatalf("before any login: %+v, %v", s, err)
	}
	// The small build starts the login and writes the pending record...
	p, err := light.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	// ...which the session build's CompleteLogin takes.
	s, err := c.CompleteLogin(ctx, authorizeAt(t, p.URL))
	if err != nil {
		t.Fatalf("CompleteLogin of a login signin started: %v", err)
	}
	got, err := light.StoredSession(ctx)
	if err != nil || got == nil {
		t.Fatalf("StoredSession after login: %+v, %v", got, err)
	}
	// The page sees the same Session from either build.
	if want := s.View(); !reflect.DeepEqual(got, want) {
		t.Errorf("StoredSession is not the session build's view:\n got %+v\nwant %+v", *got, *want)
	}
	if got.UserID != s.UserID || got.AccountURL == "" || got.AccountURL != s.AccountManagementURI || got.LifetimeMs == 0 {
		t.Errorf("StoredSession misses fields: %+v", *got)
	}
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), s.AccessToken) || strings.Contains(string(b), "refreshToken") || strings.Contains(string(b), "accessToken") {
		t.Errorf("StoredSession carries a token: %s", b)
	}
	// The discovery the small build cached in the Store answers a fresh
	// native Client (a reload into the session build) with no request.
	before := countRequests(sb, "GET", "/_matrix/client/versions")
	if _, err := loginClient(store).Discover(ctx, sb.URL()); err != nil {
		t.Fatal(err)
	}
	if n := countRequests(sb, "GET", "/_matrix/client/versions"); n != before {
		t.Errorf("discovery from the shared cache made %d requests", n-before)
	}
	// Logout through the session build: the small build sees nobody.
	if err := c.Logout(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if s, err := light.StoredSession(ctx); s != nil || err != nil {
		t.Fatalf("after logout: %+v, %v", s, err)
	}
}
