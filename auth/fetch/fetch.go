// Package fetch is the one HTTP contract of mxauth's code that must not
// link net/http: auth/room and the sign-in core (auth/signin) talk through
// a Func, and each program hands in one (net/http natively, window.fetch in
// the browser). It is a leaf: it imports nothing of this module.
package fetch

import (
	"context"
	"errors"
	"strings"
)

// Request is one HTTP request.
type Request struct {
	Method string
	URL    string
	// Header holds only Authorization and Content-Type: in a browser any
	// other header would force a CORS preflight (DESIGN.md, house style).
	Header map[string]string
	Body   []byte
	// MaxBytes bounds the response body a Func may read; a longer body
	// fails with an error wrapping ErrBodyTooLarge. Zero means
	// DefaultMaxBytes.
	MaxBytes int64
	// LoopbackHTTP says that the request may go, and be redirected, to
	// plain http on a loopback host (a server the person named as
	// loopback). A Func that follows redirects itself holds every other
	// redirect to https.
	LoopbackHTTP bool
}

// CarriesSecret reports whether the request carries a secret: any method
// but GET and HEAD (a code, a verifier, a refresh or access token in the
// body, a client registration), or an Authorization header. Such a request
// must never follow a redirect to another origin, where a 307/308 would
// replay it (DESIGN.md, "Bind what a server says to who it is"); it is the
// rule of package auth's native redirect policy, and the browser's Func
// follows no redirect at all for it.
func (r Request) CarriesSecret() bool {
	switch strings.ToUpper(r.Method) {
	case "", "GET", "HEAD":
	default:
		return true
	}
	for k, v := range r.Header {
		if strings.EqualFold(k, "Authorization") && v != "" {
			return true
		}
	}
	return false
}

// Response is a fully read answer.
type Response struct {
	Status int
	// Header maps lower-case header names to their (first) value.
	Header map[string]string
	Body   []byte
}

// Func does one HTTP request and reads the whole answer. It returns an
// error only when no answer arrived (network failure, cancelled or expired
// ctx, a body over MaxBytes), never for an HTTP status. It must not add
// request headers of its own.
type Func func(ctx context.Context, req Request) (*Response, error)

// DefaultMaxBytes is the body limit when Request.MaxBytes is zero: Matrix
// and OAuth answers are small, a megabyte is plenty.
const DefaultMaxBytes = 1 << 20

// ErrBodyTooLarge is wrapped by a Func whose answer exceeded MaxBytes.
// Callers report it as server_error, not as a network failure.
var ErrBodyTooLarge = errors.New("response body too large")
