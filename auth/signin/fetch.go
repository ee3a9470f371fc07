package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/fetch"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// Body size limits for server answers (issue: untrusted input is bounded).
const (
	limitWellKnown = 64 << 10
	limitJSON      = 1 << 20
)

// Request is one HTTP request the core (and the session part of package
// auth on top of it) makes. No custom headers: in a browser each one would
// cost a CORS preflight.
type Request struct {
	Op       string
	Method   string
	URL      string
	Form     url.Values // sent as application/x-www-form-urlencoded
	JSON     any        // sent as application/json
	Bearer   string
	Limit    int64 // body limit; zero means 1 MiB
	Insecure bool  // allow plain http to loopback hosts
}

// Response is a fully read answer.
type Response struct {
	Status int
	header map[string]string
	Body   []byte
}

// Header returns the first value of the answer's header name.
func (r *Response) Header(name string) string { return r.header[strings.ToLower(name)] }

// HTTP statuses the core tells apart (RFC 9110 §15), written out so that
// this package needs nothing of net/http.
const (
	statusOK               = 200
	statusCreated          = 201
	statusNotFound         = 404
	statusMethodNotAllowed = 405
	statusTooManyRequests  = 429
)

// Do sends r through the Client's Fetch, retrying 429 answers within
// c.Retry. Any status comes back as a Response, except 429 after the
// retries, which is a RateLimited *autherr.Error. Transport failures are
// Network or Timeout errors.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	c.init()
	var resp *Response
	err := c.Retry.Do(ctx, func() error {
		var err error
		resp, err = c.send(ctx, r)
		if err != nil {
			return err
		}
		if resp.Status == statusTooManyRequests {
			e := autherr.FromReply(r.Op, autherr.RateLimited, resp.Status, resp.Body)
			if e.RetryAfter == 0 {
				e.RetryAfter = serverrule.RetryAfter(resp.Header("Retry-After"), c.now())
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

// send makes one request and reads the body through the size limit, all
// within the per-request timeout.
func (c *Client) send(ctx context.Context, r Request) (*Response, error) {
	if err := serverrule.CheckURL(r.URL, r.Insecure); err != nil {
		return nil, &autherr.Error{Code: autherr.InvalidInput, Op: r.Op, Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()

	req := fetch.Request{Method: r.Method, URL: r.URL, LoopbackHTTP: r.Insecure}
	switch {
	case r.Form != nil:
		req.Body = []byte(r.Form.Encode())
		req.Header = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, &autherr.Error{Code: autherr.InvalidInput, Op: r.Op, Err: err}
		}
		req.Body = b
		req.Header = map[string]string{"Content-Type": "application/json"}
	}
	if req.Method == "" {
		req.Method = "GET"
	}
	if r.Bearer != "" {
		if req.Header == nil {
			req.Header = map[string]string{}
		}
		req.Header["Authorization"] = "Bearer " + r.Bearer
	}
	req.MaxBytes = r.Limit
	if req.MaxBytes <= 0 {
		req.MaxBytes = limitJSON
	}
	res, err := c.Fetch(ctx, req)
	if err != nil {
		if errors.Is(err, fetch.ErrBodyTooLarge) {
			return nil, &autherr.Error{Code: autherr.ServerError, Op: r.Op,
				Err: fmt.Errorf("answer from %s is larger than %d bytes", HostOf(r.URL), req.MaxBytes)}
		}
		return nil, TransportError(r.Op, ctx, err)
	}
	if int64(len(res.Body)) > req.MaxBytes {
		// A Func that does not hold to MaxBytes is still held to it.
		return nil, &autherr.Error{Code: autherr.ServerError, Op: r.Op, Status: res.Status,
			Err: fmt.Errorf("answer from %s is larger than %d bytes", HostOf(r.URL), req.MaxBytes)}
	}
	h := make(map[string]string, len(res.Header))
	for k, v := range res.Header {
		h[strings.ToLower(k)] = v
	}
	return &Response{Status: res.Status, header: h, Body: res.Body}, nil
}

// TransportError classifies a failure to get an answer. An *autherr.Error
// from the Fetch (its redirect policy, its own size check) keeps its code;
// one without an Op gets the request's.
func TransportError(op string, ctx context.Context, err error) *autherr.Error {
	var ae *autherr.Error
	if errors.As(err, &ae) {
		if ae.Op == "" {
			c := *ae
			c.Op = op
			return &c
		}
		return ae
	}
	if ctx.Err() != nil {
		return autherr.FromContext(op, ctx.Err())
	}
	// net.Error's Timeout, asked without importing net.
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return &autherr.Error{Code: autherr.Timeout, Op: op, Err: err}
	}
	return &autherr.Error{Code: autherr.Network, Op: op, Err: err}
}

// DecodeJSON decodes an answer body into v, naming what it was on failure.
func DecodeJSON(op string, resp *Response, v any, code autherr.Code) error {
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return &autherr.Error{Code: code, Op: op, Status: resp.Status, Err: fmt.Errorf("malformed JSON: %w", err)}
	}
	return nil
}

// HostOf is the host[:port] of raw, for messages ("the server" when raw
// is not a URL).
func HostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the server"
	}
	return u.Host
}

func ctxError(op string, err error) error { return autherr.FromContext(op, err) }

// ClipText cuts s to at most n bytes on a character boundary, marking the
// cut: for text a server sent that ends up in a message.
func ClipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// leadingInt reads a decimal integer with an optional sign at the start of
// s, as fmt's %d does (the rest is left), without fmt's scanner, which the
// small build need not carry.
func leadingInt(s string) (n int, rest string, ok bool) {
	// %d first skips spaces, but not a newline.
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if r == '\n' || !unicode.IsSpace(r) {
			break
		}
		s = s[size:]
	}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	if j == i {
		return 0, s, false
	}
	v, err := strconv.ParseInt(s[:j], 10, 0)
	if err != nil {
		return 0, s, false
	}
	return int(v), s[j:], true
}
