//go:build js && wasm

// Command preview is the main of preview.wasm, the small build for pages
// that only show rooms (DESIGN.md, "Three WASM builds"): auth/room over the
// browser's fetch, no net/http, no session.
//
// # Handshake with the loader
//
// The loader names a ready callback on globalThis before it runs the
// program; Go calls it once with the API object and then deletes the
// property, so nothing of mxauth stays on globalThis:
//
//	const api = await new Promise((ready, fail) => {
//	  globalThis.__mxauthPreviewReady = ready;
//	  go.run(instance).then(() => fail(new Error("preview.wasm exited")));
//	});
//
// The default name is __mxauthPreviewReady; the loader may pick another
// with the environment variable MXAUTH_READY (go.env = {MXAUTH_READY:
// "…"}), for example to run a second instance in tests. MXAUTH_TIMEOUT_MS
// sets the per-request timeout (load()'s timeoutMs; default 15000). When
// the callback is missing the program writes why to console.error and exits
// with status 1, which settles go.run's promise, so the loader can reject
// load() instead of waiting forever.
//
// # The API object
//
// The callback receives {roomSummary, roomBadge}, the signatures of
// CONTRACT.md §1; both return Promises that reject with MxAuthError:
//
//	roomSummary(room, {server, via, signal}?) → Promise<RoomSummary>
//	roomBadge(room, {label, style, server, via, signal}?) → Promise<string>  // SVG
//
// room is a room id, an alias, a matrix.to link or a matrix: URI. server is a
// base URL or a server name; a name is resolved with the well-known lookup
// (browser.Resolver). via is a server name or a list of them. The functions
// live as long as the program, which blocks forever: a page keeps its one
// instance (issue 5, "one instance per page").
package main

import (
	"context"
	"os"
	"syscall/js"
	"time"

	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/wasm/browser"
)

// readyDefault is the global the loader sets before go.run.
const readyDefault = "__mxauthPreviewReady"

func main() {
	a := newAPI(browser.TimeoutFromEnv())
	if err := browser.Handshake(js.Global(), browser.ReadyName(readyDefault), a.value()); err != nil {
		js.Global().Get("console").Call("error", "mxauth preview: "+err.Error())
		a.release()
		os.Exit(1)
	}
	select {}
}

// api is one instance's JS API: one room.Client, so its per-server memory
// and the resolver's cache serve every card of the page.
type api struct {
	client *room.Client
	funcs  []js.Func
}

func newAPI(timeout time.Duration) *api {
	resolver := &browser.Resolver{Fetch: browser.Fetch, Timeout: timeout}
	return &api{client: &room.Client{Fetch: browser.Fetch, Timeout: timeout, Resolve: resolver.Resolve}}
}

// value builds the JS object handed to the loader.
func (a *api) value() js.Value {
	obj := js.Global().Get("Object").New()
	a.method(obj, "roomSummary", func(args []js.Value) (js.Value, func(context.Context) (any, error)) {
		return browser.SummaryCall(args, a.summarize)
	})
	a.method(obj, "roomBadge", func(args []js.Value) (js.Value, func(context.Context) (any, error)) {
		return browser.BadgeCall(args, a.summarize)
	})
	return obj
}

// release frees the methods' js.Funcs. Only a program that ends calls it
// (a failed handshake, tests); after it the methods must not be called.
func (a *api) release() {
	for _, f := range a.funcs {
		f.Release()
	}
	a.funcs = nil
}

// method sets obj[name] to a function returning a Promise of fn's work. The
// arguments are read synchronously, so a page that changes its options
// object after the call does not change the call.
func (a *api) method(obj js.Value, name string, fn func(args []js.Value) (js.Value, func(context.Context) (any, error))) {
	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		signal, work := fn(args)
		return browser.PromiseSignal(signal, work)
	})
	a.funcs = append(a.funcs, f)
	obj.Set(name, f)
}

// summarize asks the room's server, anonymously: this build has no session.
func (a *api) summarize(ctx context.Context, ref room.Ref, opts *browser.RoomOptions) (*room.Summary, error) {
	return a.client.Summary(ctx, ref, room.Options{Server: opts.Server, Via: opts.Via})
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}
