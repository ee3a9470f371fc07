package room

import (
	"context"
	"errors"
)

// Request is one HTTP request of this package.
type Request struct {
	Method string
	URL    string
	// Header holds only Authorization and Content-Type: in a browser any
	// other header would force a CORS preflight (DESIGN.md, house style).
	Header map[string]string
	Body   []byte
	// MaxBytes bounds the response body a Fetch may read; a longer body
	// fails with an error wrapping ErrBodyTooLarge. Zero means
	// DefaultMaxBytes.
	MaxBytes int64
}

// Response is a fully read answer.
type Response struct {
	Status int
	// Header maps lower-case header names to their (first) value.
	Header map[string]string
	Body   []byte
}

// Fetch does one HTTP request and reads the whole answer. It returns an
// error only when no answer arrived (network failure, cancelled or expired
// ctx, a body over MaxBytes), never for an HTTP status. It must not add
// request headers of its own. Package room/httpfetch has one over
// net/http; the browser build has one over window.fetch.
type Fetch func(ctx context.Context, req Request) (*Response, error)

// DefaultMaxBytes is the body limit when Request.MaxBytes is zero: room
// summaries and error bodies are small, a megabyte is plenty.
const DefaultMaxBytes = 1 << 20

// ErrBodyTooLarge is wrapped by a Fetch whose answer exceeded MaxBytes. The
// Client reports it as server_error, not as a network failure.
var ErrBodyTooLarge = errors.New("room: response body too large")
