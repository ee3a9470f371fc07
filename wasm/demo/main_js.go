//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"syscall/js"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	mxapp "github.com/mxauth/mxauth/app"
	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/wasm/browser"
	"github.com/mxauth/mxauth/wasm/browser/fetchhttp"
	"github.com/mxauth/mxauth/wasm/browser/store"
)

// main of app.wasm: package auth over the page's fetch with sessions in
// IndexedDB (sealed, as in mxauth.wasm) and Web Locks, the demo's config,
// then go-app takes the page.
func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	cfg := loadConfig(ctx)
	st, err := store.OpenStorage(ctx, store.StorageIndexedDB)
	cancel()
	if err != nil {
		st = &store.Storage{Store: auth.NewMemoryStore(), Mode: store.StorageMemory, Warning: err}
	}
	if st.Warning != nil {
		js.Global().Get("console").Call("warn", "mxauth demo: "+st.Warning.Error())
	}
	client := &auth.Client{
		HTTPClient: &http.Client{Transport: fetchhttp.Transport{}},
		Store:      st.Store,
		Sealer:     st.Sealer,
		Locker:     store.NewLocker(),
	}
	if st.Tokens != nil {
		client.AccessTokens = st.Tokens
	}
	resolver := &browser.Resolver{Fetch: browser.Fetch}
	env := &mxapp.Env{
		Auth:         client,
		Rooms:        &room.Client{Fetch: browser.Fetch, Resolve: resolver.Resolve},
		Probe:        probe,
		CleanAddress: cleanAddress,
		InBrowser:    true,
		Config:       cfg,
	}
	mxapp.Routes(env)
	app.RunWhenOnBrowser()
}

// loadConfig reads config.json beside the page (the `mxauth demo` server
// writes one naming its sandbox); a static host has none. The client URI
// baked in at generation (MXAUTH_CLIENT_URI) is the fallback.
func loadConfig(ctx context.Context) mxapp.Config {
	var cfg mxapp.Config
	resp, err := browser.Fetch(ctx, room.Request{Method: "GET", URL: "config.json", MaxBytes: 64 << 10})
	if err == nil && resp.Status == http.StatusOK {
		_ = json.Unmarshal(resp.Body, &cfg)
	}
	if cfg.ClientURI == "" {
		cfg.ClientURI = app.Getenv("MXAUTH_CLIENT_URI")
	}
	return cfg
}

// probe looks at u directly: a normal fetch proves the answer is readable
// (CORS passed); when that fails, a no-cors fetch that resolves proves the
// server answered, so the missing piece is CORS.
func probe(ctx context.Context, u string) mxapp.ProbeResult {
	r := mxapp.ProbeResult{URL: u}
	resp, err := browser.Fetch(ctx, room.Request{Method: "GET", URL: u, MaxBytes: 64 << 10})
	if err == nil {
		r.Reachable, r.CORS, r.Status = true, true, resp.Status
		return r
	}
	r.Err = err.Error()
	opts := js.Global().Get("Object").New()
	opts.Set("mode", "no-cors")
	opts.Set("credentials", "omit")
	opts.Set("cache", "no-store")
	_, err = browser.Await(ctx, js.Global().Call("fetch", u, opts))
	r.Reachable = err == nil
	return r
}

// cleanAddress drops code, state and iss from the address bar.
func cleanAddress() {
	href := js.Global().Get("location").Get("href").String()
	if clean := browser.CleanCallbackURL(href); clean != href {
		js.Global().Get("history").Call("replaceState", js.Null(), "", clean)
	}
}
