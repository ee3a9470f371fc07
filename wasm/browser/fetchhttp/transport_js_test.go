//go:build js && wasm

package fetchhttp

import (
	"net/http"
	"sort"
	"syscall/js"
	"testing"
)

// TestFetchTransportHeaders: only the bearer token and CORS-safelisted
// headers reach fetch. go-oidc's JWKS request sets Cache-Control, which no
// homeserver allows in its CORS answer; Chromium then refused the request
// and every ID-token check failed.
func TestFetchTransportHeaders(t *testing.T) {
	global := js.Global()
	saved := global.Get("fetch")
	defer global.Set("fetch", saved)
	var got []string
	stub := js.FuncOf(func(_ js.Value, args []js.Value) any {
		h := args[1].Get("headers")
		keys := global.Get("Object").Call("keys", h)
		for i := 0; i < keys.Length(); i++ {
			got = append(got, keys.Index(i).String())
		}
		return global.Get("Promise").Call("reject", global.Get("TypeError").New("Failed to fetch"))
	})
	defer stub.Release()
	global.Set("fetch", stub)

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
