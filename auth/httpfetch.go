package auth

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/fetch"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// httpFetch is the Client's fetch.Func over net/http, the one the sign-in core
// and the session part share: the redirect policy of httpClient, the body
// limit of the request, and a failure classified as the core expects (an
// *autherr.Error for a refused redirect or a body over the limit; the
// transport's own error, whose Timeout the core reads, otherwise).
func (c *Client) httpFetch(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return nil, &autherr.Error{Code: autherr.InvalidInput, Err: err}
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	res, err := c.httpClient(r.LoopbackHTTP).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	limit := r.MaxBytes
	if limit <= 0 {
		limit = fetch.DefaultMaxBytes
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &autherr.Error{Code: autherr.ServerError, Status: res.StatusCode,
			Err: fmt.Errorf("answer from %s is larger than %d bytes", req.URL.Host, limit)}
	}
	h := make(map[string]string, len(res.Header))
	for k, vs := range res.Header {
		if len(vs) > 0 {
			h[strings.ToLower(k)] = vs[0]
		}
	}
	return &fetch.Response{Status: res.StatusCode, Header: h, Body: b}, nil
}

// httpClient returns a copy of the configured client whose redirects follow
// serverrule.CheckRedirect.
func (c *Client) httpClient(insecure bool) *http.Client {
	c.httpOnce.Do(func() {
		for i, ins := range []bool{false, true} {
			var hc http.Client
			if c.HTTPClient != nil {
				hc = *c.HTTPClient
			}
			ins := ins
			hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				first := via[0]
				carries := first.Method != http.MethodGet && first.Method != http.MethodHead || first.Header.Get("Authorization") != ""
				return serverrule.CheckRedirect(first.URL, req.URL, len(via), carries, ins)
			}
			base := hc.Transport
			if base == nil {
				base = http.DefaultTransport
			}
			hc.Transport = limitTransport{base}
			c.httpc[i] = &hc
		}
	})
	if insecure {
		return c.httpc[1]
	}
	return c.httpc[0]
}

// limitBody bounds every answer body at the transport, for the readers
// that are not ours (x/oauth2 reads 1 MiB, go-oidc's JWKS fetch reads all).
// Our own reads stop earlier (limitJSON + 1).
const limitBody = 2 << 20

// limitTransport fails a body read past limitBody.
type limitTransport struct{ base http.RoundTripper }

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(req)
	if err != nil || res.Body == nil {
		return res, err
	}
	res.Body = &limitedBody{ReadCloser: res.Body, left: limitBody, host: req.URL.Host}
	return res, nil
}

type limitedBody struct {
	io.ReadCloser
	left int64
	host string
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("answer from %s is larger than %d bytes", b.host, limitBody)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// redirectRefused reports whether e is a refused redirect of a request
// with a secret (autherr.ReasonRedirectRefused): it was never followed,
// and a retry would only be redirected again.
func redirectRefused(e *autherr.Error) bool {
	return e.Code == autherr.Network && e.Details["reason"] == autherr.ReasonRedirectRefused
}
