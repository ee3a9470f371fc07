// Package httpfetch implements room.Fetch over net/http for Go programs
// (servers, bots, the mxauth CLI). It lives apart from package room so that
// room itself, and the small mxauth.wasm build that uses it with the browser's
// fetch, never link net/http (DESIGN.md, "Three WASM builds").
package httpfetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// New returns a room.Fetch that sends requests with client (nil means
// http.DefaultClient). It sets only the headers the request carries
// (Authorization, Content-Type), reads at most req.MaxBytes of the answer
// and fails with an error wrapping room.ErrBodyTooLarge beyond that.
func New(client *http.Client) room.Fetch {
	if client == nil {
		client = http.DefaultClient
	}
	// Redirects follow the rule every fetch of mxauth follows
	// (serverrule.CheckRedirect); a token-carrying request stays on its
	// origin. Loopback http is allowed, as for base URLs in local setups.
	cp := *client
	next := cp.CheckRedirect
	cp.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		first := via[0]
		if err := serverrule.CheckRedirect(first.URL, r.URL, len(via), first.Header.Get("Authorization") != "", true); err != nil {
			return fmt.Errorf("httpfetch: %w", err)
		}
		if next != nil {
			return next(r, via)
		}
		return nil
	}
	client = &cp
	return func(ctx context.Context, req room.Request) (*room.Response, error) {
		var body io.Reader
		if req.Body != nil {
			body = bytes.NewReader(req.Body)
		}
		method := req.Method
		if method == "" {
			method = http.MethodGet
		}
		hreq, err := http.NewRequestWithContext(ctx, method, req.URL, body)
		if err != nil {
			return nil, fmt.Errorf("httpfetch: %w", err)
		}
		for k, v := range req.Header {
			hreq.Header.Set(k, v)
		}
		resp, err := client.Do(hreq)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		limit := req.MaxBytes
		if limit <= 0 {
			limit = room.DefaultMaxBytes
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil {
			return nil, fmt.Errorf("httpfetch: reading the body: %w", err)
		}
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("httpfetch: %s answered more than %d bytes: %w", req.URL, limit, room.ErrBodyTooLarge)
		}
		h := make(map[string]string, len(resp.Header))
		for k, vs := range resp.Header {
			if len(vs) > 0 {
				h[strings.ToLower(k)] = vs[0]
			}
		}
		return &room.Response{Status: resp.StatusCode, Header: h, Body: b}, nil
	}
}
