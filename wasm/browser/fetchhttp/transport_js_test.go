//go:build js && wasm

package fetchhttp

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"syscall/js"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
)

// stubFetch replaces globalThis.fetch with fn for the test.
func stubFetch(t *testing.T, fn func(this js.Value, args []js.Value) any) {
	global := js.Global()
	saved := global.Get("fetch")
	stub := js.FuncOf(fn)
	global.Set("fetch", stub)
	t.Cleanup(func() {
		global.Set("fetch", saved)
		stub.Release()
	})
}

// TestFetchTransportHeaders: only the bearer token and CORS-safelisted
// headers reach fetch. go-oidc's JWKS request sets Cache-Control, which no
// homeserver allows in its CORS answer; Chromium then refused the request
// and every ID-token check failed.
func TestFetchTransportHeaders(t *testing.T) {
	global := js.Global()
	var got []string
	stubFetch(t, func(_ js.Value, args []js.Value) any {
		h := args[1].Get("headers")
		keys := global.Get("Object").Call("keys", h)
		for i := 0; i < keys.Length(); i++ {
			got = append(got, keys.Index(i).String())
		}
		return global.Get("Promise").Call("reject", global.Get("TypeError").New("Failed to fetch"))
	})

	req, _ := http.NewRequest("GET", "http://127.0.0.1:9/keys.json", nil)
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("User-Agent", "Go")
	req.Header.Set("X-Custom", "1")
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Accept", "application/json")
	if _, err := (Transport{}).RoundTrip(req); err == nil {
		t.Fatal("RoundTrip succeeded over a rejecting fetch")
	}
	sort.Strings(got)
	if want := []string{"Accept", "Authorization"}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("fetch got headers %v, want %v", got, want)
	}
}

// TestFetchTransportRefusesOpaqueRedirects: the POSTs x/oauth2 sends
// (code exchange, refresh) and the revocation go to fetch with redirect
// "manual", and a browser's answer to a redirect then (type
// "opaqueredirect", status 0, nothing readable) reaches the caller as the
// network error with reason redirect_refused, inside the *url.Error net/http
// wraps it in. A public GET keeps redirect "follow".
func TestFetchTransportRefusesOpaqueRedirects(t *testing.T) {
	global := js.Global()
	var modes []string
	stubFetch(t, func(_ js.Value, args []js.Value) any {
		modes = append(modes, args[1].Get("redirect").String())
		r := global.Get("Object").New()
		r.Set("type", "opaqueredirect")
		r.Set("status", 0)
		r.Set("headers", global.Get("Object").New())
		r.Set("body", js.Null())
		return global.Get("Promise").Call("resolve", r)
	})

	client := &http.Client{Transport: Transport{}}
	_, err := client.PostForm("http://127.0.0.1:9/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"mar_SECRET"}})
	var ae *autherr.Error
	if !errors.As(err, &ae) || ae.Code != autherr.Network || ae.Details["reason"] != autherr.ReasonRedirectRefused {
		t.Fatalf("got %v, want network with reason %s", err, autherr.ReasonRedirectRefused)
	}
	if strings.Contains(err.Error(), "mar_SECRET") {
		t.Errorf("the error %q holds the refresh token", err)
	}
	req, _ := http.NewRequest("GET", "http://127.0.0.1:9/_matrix/client/v3/account/whoami", nil)
	req.Header.Set("Authorization", "Bearer mat_SECRET")
	if _, err := client.Do(req); !errors.As(err, &ae) || ae.Details["reason"] != autherr.ReasonRedirectRefused {
		t.Errorf("Bearer GET: got %v, want reason %s", err, autherr.ReasonRedirectRefused)
	}
	// A public GET follows in fetch, which never hands a script an
	// opaqueredirect then; the stub's answer reads as status 0.
	_, _ = client.Get("http://127.0.0.1:9/.well-known/matrix/client")
	if want := []string{"manual", "manual", "follow"}; strings.Join(modes, " ") != strings.Join(want, " ") {
		t.Errorf("redirect modes %v, want %v", modes, want)
	}
}
