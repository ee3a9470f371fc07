//go:build js && wasm

package browser

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

const opFetch = "fetch"

// corsHint ends the message of a fetch that got no answer. Browsers hide
// the reason from scripts (a TypeError "Failed to fetch" for all of them),
// and for a Matrix homeserver reached from a web page a missing
// Access-Control-Allow-Origin header is by far the most common one (spec,
// "Web Browser Clients"); saying so saves the developer an hour.
const corsHint = "no answer could be read; the usual cause is a missing CORS header " +
	"(Access-Control-Allow-Origin) on the server, otherwise the server is unreachable " +
	"or its TLS certificate is not trusted"

// Fetch implements room.Fetch over the page's fetch (WHATWG Fetch). It
// sends exactly req.Header and nothing of its own, since any other
// request header makes the browser send a CORS preflight first (DESIGN.md,
// house style); with credentials "omit", because Matrix authenticates by
// bearer token and homeservers never allow credentialed CORS.
//
// A request that carries a secret (room.Request.CarriesSecret: any method
// but GET and HEAD, or an Authorization header: the token exchange and
// refresh of x/oauth2, revocation, client registration, every Bearer
// request) is sent with redirect "manual" and follows no redirect: a
// 307/308 would replay its body or header to wherever the server points,
// and fetch runs no Go redirect policy, so package auth's native one
// (auth/fetch.go) cannot. The redirect answer (an "opaqueredirect"
// response with status 0 in a browser, the 3xx itself under Node) becomes
// network with details.reason "redirect_refused"; nothing is sent to its
// target. So the native hop limit holds with room to spare: zero hops.
// Public GETs follow redirects inside fetch (at most 20, the Fetch
// standard's limit; a script cannot count them, and they carry nothing
// secret).
//
// An AbortController tied to ctx cancels the request and the body read:
// when ctx ends, Fetch returns at once with timeout (deadline) or network
// (cancelled). The body is read from the response stream and reading stops
// as soon as it passes req.MaxBytes (default room.DefaultMaxBytes), so an
// endless body costs at most that much; that error wraps
// room.ErrBodyTooLarge. A fetch that gets no answer at all (the browser's
// TypeError) is network, with a message naming CORS as the usual cause.
//
// Header names of the response are lower-case. A browser joins repeated
// headers with ", ", so a value is the joined one, not the first; and
// cross-origin it shows only the CORS-safelisted ones and those the server
// exposes.
//
// Every error is an *autherr.Error. Fetch never panics.
func Fetch(ctx context.Context, req room.Request) (resp *room.Response, err error) {
	if err := ctx.Err(); err != nil {
		return nil, autherr.FromContext(opFetch, err)
	}
	// syscall/js panics when JavaScript throws synchronously (no fetch in
	// this environment, a URL the page's CSP forbids in some engines).
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, &autherr.Error{Code: autherr.Network, Op: opFetch,
				Err: fmt.Errorf("fetch threw: %s", clip(fmt.Sprint(r), 200))}
		}
	}()
	method := req.Method
	if method == "" {
		method = "GET"
	}
	limit := req.MaxBytes
	if limit <= 0 {
		limit = room.DefaultMaxBytes
	}

	global := js.Global()
	object := global.Get("Object")
	controller := global.Get("AbortController").New()
	abort := func() { controller.Call("abort") }

	headers := object.New()
	for k, v := range req.Header {
		headers.Set(k, v)
	}
	init := object.New()
	init.Set("method", method)
	init.Set("headers", headers)
	init.Set("credentials", "omit")
	secret := req.CarriesSecret()
	if secret {
		init.Set("redirect", "manual")
	} else {
		init.Set("redirect", "follow")
	}
	init.Set("signal", controller.Get("signal"))
	if req.Body != nil {
		body := global.Get("Uint8Array").New(len(req.Body))
		js.CopyBytesToJS(body, req.Body)
		init.Set("body", body)
	}

	r, err := await(ctx, global.Call("fetch", req.URL, init), abort)
	if err != nil {
		return nil, fetchError(ctx, req.URL, err)
	}
	if secret && refusedRedirect(r) {
		abort() // a 3xx body under Node is not read
		return nil, &autherr.Error{Code: autherr.Network, Op: opFetch,
			Details: map[string]string{"reason": autherr.ReasonRedirectRefused, "url": clip(req.URL, 200)},
			Err:     fmt.Errorf("%s answered a %s request with a redirect; a request that carries a secret follows none", clip(req.URL, 200), method)}
	}
	out := &room.Response{Status: r.Get("status").Int(), Header: readHeaders(r.Get("headers"))}
	out.Body, err = readBody(ctx, r, limit, out.Header["content-length"], abort)
	if err != nil {
		if errors.Is(err, room.ErrBodyTooLarge) {
			return nil, &autherr.Error{Code: autherr.ServerError, Op: opFetch,
				Err: fmt.Errorf("%s answered more than %d bytes: %w", clip(req.URL, 200), limit, err)}
		}
		return nil, fetchError(ctx, req.URL, err)
	}
	return out, nil
}

// refusedRedirect reports whether r answers a redirect: "opaqueredirect"
// with status 0 is what browsers give scripts for redirect "manual"
// (Fetch standard, "opaque-redirect filtered response"); Node's undici
// gives the 3xx itself.
func refusedRedirect(r js.Value) bool {
	if r.Get("type").String() == "opaqueredirect" {
		return true
	}
	switch r.Get("status").Int() {
	case 0, 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// fetchError classifies a failed fetch or body read.
func fetchError(ctx context.Context, url string, err error) *autherr.Error {
	if ctx.Err() != nil {
		return autherr.FromContext(opFetch, ctx.Err())
	}
	var rej *rejection
	if errors.As(err, &rej) && rej.name == "TypeError" {
		return &autherr.Error{Code: autherr.Network, Op: opFetch,
			Details: map[string]string{"url": clip(url, 200)},
			Err:     fmt.Errorf("%s: %s (%w)", clip(url, 200), corsHint, err)}
	}
	return &autherr.Error{Code: autherr.Network, Op: opFetch,
		Details: map[string]string{"url": clip(url, 200)},
		Err:     fmt.Errorf("%s: %w", clip(url, 200), err)}
}

// readHeaders copies a Headers object through its entries() iterator,
// which needs no js.Func (forEach would). Names are lower-cased by the
// Fetch standard already; ToLower keeps the promise of room.Response.
func readHeaders(h js.Value) map[string]string {
	out := map[string]string{}
	if h.Type() != js.TypeObject {
		return out
	}
	it := h.Call("entries")
	for {
		step := it.Call("next")
		if step.Get("done").Truthy() {
			return out
		}
		pair := step.Get("value")
		k := strings.ToLower(pair.Index(0).String())
		if _, seen := out[k]; !seen {
			out[k] = pair.Index(1).String()
		}
	}
}

// readBody reads the response stream chunk by chunk and stops past limit,
// aborting the request so the browser stops downloading too. contentLength
// only sizes the first allocation; the limit is enforced on the bytes read,
// so a lying or absent Content-Length changes nothing.
func readBody(ctx context.Context, r js.Value, limit int64, contentLength string, abort func()) ([]byte, error) {
	stream := r.Get("body")
	if stream.IsNull() || stream.IsUndefined() {
		return nil, nil // 204, 304, HEAD: no body
	}
	var out []byte
	if n, err := strconv.ParseInt(contentLength, 10, 64); err == nil && n > 0 && n <= limit {
		out = make([]byte, 0, n)
	}
	reader := stream.Call("getReader")
	for {
		chunk, err := await(ctx, reader.Call("read"), abort)
		if err != nil {
			return nil, err
		}
		if chunk.Get("done").Truthy() {
			return out, nil
		}
		v := chunk.Get("value")
		n := v.Get("byteLength").Int()
		if int64(len(out))+int64(n) > limit {
			// Abort rather than reader.cancel(): cancel returns a promise
			// nobody would await, and an unhandled rejection ends Node.
			abort()
			return nil, room.ErrBodyTooLarge
		}
		start := len(out)
		out = slices.Grow(out, n)[:start+n]
		js.CopyBytesToGo(out[start:], v)
	}
}

// Fetch must stay a room.Fetch.
var _ room.Fetch = Fetch
