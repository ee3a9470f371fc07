package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Body size limits for server answers (issue: untrusted input is bounded).
const (
	limitWellKnown = 64 << 10
	limitJSON      = 1 << 20
)

// request is one HTTP request mxauth makes. No custom headers: in a browser
// each one would cost a CORS preflight.
type request struct {
	op       string
	method   string
	url      string
	form     url.Values // sent as application/x-www-form-urlencoded
	json     any        // sent as application/json
	bearer   string
	limit    int64
	insecure bool // allow plain http to loopback hosts
}

// response is a fully read answer.
type response struct {
	status int
	header http.Header
	body   []byte
	dur    time.Duration
}

// do sends r, retrying 429 answers within c.Retry. Any status comes back as
// a response, except 429 after the retries, which is a RateLimited *Error.
// Transport failures are Network or Timeout errors.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	var resp *response
	err := c.Retry.Do(ctx, func() error {
		var err error
		resp, err = c.send(ctx, r)
		if err != nil {
			return err
		}
		if resp.status == http.StatusTooManyRequests {
			e := autherr.FromStatus(r.op, resp.status, resp.body, autherr.RateLimited)
			if e.RetryAfter == 0 {
				e.RetryAfter = retryAfterHeader(resp.header.Get("Retry-After"))
			}
			return e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// retryAfterHeader reads a Retry-After of whole seconds (native clients can
// see it; browsers usually cannot, as Synapse does not expose it).
func retryAfterHeader(v string) time.Duration {
	var s int
	if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d", &s); err != nil || s <= 0 {
		return 0
	}
	d := time.Duration(s) * time.Second
	if d > autherr.MaxRetryAfter {
		d = autherr.MaxRetryAfter
	}
	return d
}

// send makes one request and reads the body through the size limit, all
// within the per-request timeout.
func (c *Client) send(ctx context.Context, r request) (*response, error) {
	if err := checkURL(r.url, r.insecure); err != nil {
		return nil, &autherr.Error{Code: autherr.InvalidInput, Op: r.op, Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()

	var body io.Reader
	var ctype string
	switch {
	case r.form != nil:
		body = strings.NewReader(r.form.Encode())
		ctype = "application/x-www-form-urlencoded"
	case r.json != nil:
		b, err := json.Marshal(r.json)
		if err != nil {
			return nil, &autherr.Error{Code: autherr.InvalidInput, Op: r.op, Err: err}
		}
		body = bytes.NewReader(b)
		ctype = "application/json"
	}
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, r.url, body)
	if err != nil {
		return nil, &autherr.Error{Code: autherr.InvalidInput, Op: r.op, Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	start := c.now()
	res, err := c.httpClient(r.insecure).Do(req)
	if err != nil {
		return nil, transportError(r.op, ctx, err)
	}
	defer res.Body.Close()
	limit := r.limit
	if limit <= 0 {
		limit = limitJSON
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, transportError(r.op, ctx, err)
	}
	if int64(len(b)) > limit {
		return nil, &autherr.Error{Code: autherr.ServerError, Op: r.op, Status: res.StatusCode,
			Err: fmt.Errorf("answer from %s is larger than %d bytes", hostOf(r.url), limit)}
	}
	return &response{status: res.StatusCode, header: res.Header, body: b, dur: c.now().Sub(start)}, nil
}

// transportError classifies a failure to get an answer.
func transportError(op string, ctx context.Context, err error) *autherr.Error {
	var ae *autherr.Error
	if errors.As(err, &ae) {
		return ae // from our redirect policy
	}
	if ctx.Err() != nil {
		return autherr.FromContext(op, ctx.Err())
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &autherr.Error{Code: autherr.Timeout, Op: op, Err: err}
	}
	return &autherr.Error{Code: autherr.Network, Op: op, Err: err}
}

// httpClient returns a copy of the configured client whose redirect policy
// keeps to https (or loopback http when insecure) and stops after 5 hops.
func (c *Client) httpClient(insecure bool) *http.Client {
	c.httpOnce.Do(func() {
		for i, ins := range []bool{false, true} {
			var hc http.Client
			if c.HTTPClient != nil {
				hc = *c.HTTPClient
			}
			ins := ins
			hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if len(via) >= 5 {
					return &autherr.Error{Code: autherr.Network, Op: "redirect", Err: errors.New("more than 5 redirects")}
				}
				if err := checkURL(req.URL.String(), ins); err != nil {
					return &autherr.Error{Code: autherr.Network, Op: "redirect", Err: fmt.Errorf("refused redirect: %w", err)}
				}
				// A request that carries a secret (a code, a refresh or
				// access token in a POST body, a Bearer header) never
				// follows a redirect to another origin: a 307/308 would
				// replay the body there. Public GETs (well-known,
				// versions, metadata) may move.
				first := via[0]
				carries := first.Method != http.MethodGet && first.Method != http.MethodHead || first.Header.Get("Authorization") != ""
				if carries && (req.URL.Scheme != first.URL.Scheme || !strings.EqualFold(req.URL.Host, first.URL.Host)) {
					return &autherr.Error{Code: autherr.Network, Op: "redirect",
						Details: map[string]string{"reason": autherr.ReasonRedirectRefused},
						Err:     fmt.Errorf("refused redirect of a %s request with credentials from %s to %s", first.Method, first.URL.Host, clipURL(req.URL.Host))}
				}
				return nil
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

// redirectRefused reports whether e is a refused redirect of a request
// with a secret (autherr.ReasonRedirectRefused): it was never followed,
// and a retry would only be redirected again.
func redirectRefused(e *autherr.Error) bool {
	return e.Code == autherr.Network && e.Details["reason"] == autherr.ReasonRedirectRefused
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

// decodeJSON decodes an answer body into v, naming what it was on failure.
func decodeJSON(op string, resp *response, v any, code autherr.Code) error {
	if err := json.Unmarshal(resp.body, v); err != nil {
		return &autherr.Error{Code: code, Op: op, Status: resp.status, Err: fmt.Errorf("malformed JSON: %w", err)}
	}
	return nil
}

// IsLoopbackHost reports whether host (no port) is localhost, in
// 127.0.0.0/8 or ::1.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkURL accepts an absolute https URL, or http when insecure is set and
// the host is loopback. It is applied to every URL a server hands us, so a
// public well-known or metadata can never send the client to plain http.
func checkURL(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %q", clipURL(raw))
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("not an absolute URL: %q", clipURL(raw))
	}
	if u.User != nil {
		return fmt.Errorf("URL carries credentials: %q", clipURL(raw))
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if insecure && IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q is not https", clipURL(raw))
	}
	return fmt.Errorf("%q is not an https URL", clipURL(raw))
}

func clipURL(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the server"
	}
	return u.Host
}

func ctxError(op string, err error) error { return autherr.FromContext(op, err) }
