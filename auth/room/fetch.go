package room

import "github.com/mxauth/mxauth/auth/fetch"

// The HTTP contract of this package is package fetch's, shared with the
// sign-in core; these names keep room's own spelling working.
type (
	// Request is one HTTP request of this package (fetch.Request).
	Request = fetch.Request
	// Response is a fully read answer (fetch.Response).
	Response = fetch.Response
	// Fetch does one HTTP request and reads the whole answer (fetch.Func).
	// Package room/httpfetch has one over net/http; the browser build has
	// one over window.fetch.
	Fetch = fetch.Func
)

// DefaultMaxBytes is the body limit when Request.MaxBytes is zero.
const DefaultMaxBytes = fetch.DefaultMaxBytes

// ErrBodyTooLarge is wrapped by a Fetch whose answer exceeded MaxBytes. The
// Client reports it as server_error, not as a network failure.
var ErrBodyTooLarge = fetch.ErrBodyTooLarge
