// Package autherr holds the error type every mxauth package returns and the
// classification of HTTP answers into it. It is a leaf: it imports no
// net/http, so the small build (auth/room, auth/signin) can share it with
// the session build, and errors.As finds one type, *autherr.Error (also known as
// *auth.Error), whichever package failed.
package autherr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is a stable error code. The strings are part of the public contract
// (CONTRACT.md): JavaScript sees them as MxAuthError.code.
type Code string

// The codes of CONTRACT.md.
const (
	InvalidInput        Code = "invalid_input"
	DiscoveryFailed     Code = "discovery_failed"
	NotAHomeserver      Code = "not_a_homeserver"
	OAuthUnsupported    Code = "oauth_unsupported"
	MetadataInvalid     Code = "metadata_invalid"
	RegistrationFailed  Code = "registration_failed"
	NoPendingLogin      Code = "no_pending_login"
	StateMismatch       Code = "state_mismatch"
	AuthorizationDenied Code = "authorization_denied"
	TokenExchangeFailed Code = "token_exchange_failed"
	IDTokenInvalid      Code = "id_token_invalid"
	SessionExpired      Code = "session_expired"
	NotFound            Code = "not_found"
	Forbidden           Code = "forbidden"
	RateLimited         Code = "rate_limited"
	ServerError         Code = "server_error"
	Network             Code = "network"
	Timeout             Code = "timeout"
	Storage             Code = "storage"
	// DeviceCodeExpired: the device authorization grant's code expired
	// before the person approved it (RFC 8628 §3.5 expired_token); start
	// again for a new code.
	DeviceCodeExpired Code = "device_code_expired"
)

// ReasonRedirectRefused is Details["reason"] of the Network error of a
// request that carries a secret (a token, a code, a registration) and was
// answered with a redirect that mxauth did not follow: natively one to
// another origin (package auth's redirect policy), in the browser any
// (wasm/browser's fetch sends such requests with redirect "manual").
const ReasonRedirectRefused = "redirect_refused"

// Error is the one error type of mxauth. Code is always set; the other
// fields are set where they are known.
type Error struct {
	Code Code
	// Status is the HTTP status of the answer that caused the error, or 0.
	Status int
	// Errcode is the server's own code: a Matrix errcode (M_FORBIDDEN) or an
	// OAuth 2.0 error (invalid_grant).
	Errcode string
	// Message is the server's human text (Matrix "error", OAuth
	// "error_description"), kept verbatim but bounded.
	Message string
	// RetryAfter is how long the server asked us to wait (429).
	RetryAfter time.Duration
	// Details carries extra facts for the caller, for example which field of
	// the metadata was wrong or that a revocation could not reach the server.
	Details map[string]string
	// Op says what mxauth was doing ("discover", "versions", "auth metadata").
	Op string
	// Err is the underlying cause, if any.
	Err error
}

// Error renders "auth: <op>: <code>: <cause or server message>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("auth: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(string(e.Code))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Errcode != "" {
			b.WriteString(" ")
			b.WriteString(e.Errcode)
		}
		b.WriteString(")")
	} else if e.Errcode != "" {
		fmt.Fprintf(&b, " (%s)", e.Errcode)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	} else if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error by Code, so errors.Is(err, &Error{Code: NotFound})
// works as a code check.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Status == 0 && t.Errcode == "" && t.Err == nil
}

// New makes an *Error with a formatted cause.
func New(code Code, op, format string, args ...any) *Error {
	return &Error{Code: code, Op: op, Err: fmt.Errorf(format, args...)}
}

// Wrap makes an *Error around cause. If cause already is an *Error it is
// returned as it is, so the innermost, most precise code wins.
func Wrap(code Code, op string, cause error) *Error {
	var e *Error
	if errors.As(cause, &e) {
		return e
	}
	return &Error{Code: code, Op: op, Err: cause}
}

// CodeOf returns the Code of err, or "" when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// maxMessage bounds the server text we keep, so a hostile server cannot
// make every error message megabytes long.
const maxMessage = 512

// serverBody is what both error dialects may hold: Matrix's
// {"errcode","error","retry_after_ms"} and OAuth's {"error","error_description"}.
type serverBody struct {
	Errcode          string          `json:"errcode"`
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
	RetryAfterMs     *float64        `json:"retry_after_ms"`
}

// ServerReply describes a non-2xx answer: parsed errcode/error and the
// retry hint. It never fails: a body of the wrong shape leaves the fields empty.
type ServerReply struct {
	Errcode    string
	Message    string
	RetryAfter time.Duration
	// Matrix is true when the body was a Matrix error (it had an errcode).
	Matrix bool
}

// ParseReply reads an error body of either dialect.
func ParseReply(body []byte) ServerReply {
	var b serverBody
	if err := json.Unmarshal(body, &b); err != nil {
		return ServerReply{}
	}
	var r ServerReply
	var errText string
	if len(b.Error) > 0 {
		// "error" is a string in both dialects; anything else is ignored.
		_ = json.Unmarshal(b.Error, &errText)
	}
	if b.Errcode != "" {
		r.Matrix = true
		r.Errcode = b.Errcode
		r.Message = errText
	} else if errText != "" {
		r.Errcode = errText
		r.Message = b.ErrorDescription
	}
	if b.RetryAfterMs != nil && *b.RetryAfterMs > 0 {
		ms := *b.RetryAfterMs
		if ms > float64(MaxRetryAfter/time.Millisecond) {
			ms = float64(MaxRetryAfter / time.Millisecond)
		}
		r.RetryAfter = time.Duration(ms) * time.Millisecond
	}
	r.Errcode = clip(r.Errcode, 64)
	r.Message = clip(r.Message, maxMessage)
	return r
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// MaxRetryAfter caps a server's retry hint: a server asking for an hour is
// answered with rate_limited at once rather than a frozen widget.
const MaxRetryAfter = 5 * time.Minute

// FromReply carries the facts of a non-2xx answer: its status, the
// server's own errcode and message (Matrix's errcode/error or OAuth's
// error/error_description) and its retry hint. code is the caller's: what
// the answer means depends on what was asked, so FromReply never changes
// it (Classify is the usual reading).
func FromReply(op string, code Code, status int, body []byte) *Error {
	r := ParseReply(body)
	e := &Error{Code: code, Op: op, Status: status, Errcode: r.Errcode, Message: r.Message, RetryAfter: r.RetryAfter}
	if e.Message == "" && e.Errcode == "" {
		e.Message = fmt.Sprintf("the server answered HTTP %d", status)
	}
	return e
}

// Classify is the usual reading of a non-2xx answer: 429 or
// M_LIMIT_EXCEEDED is RateLimited, 5xx ServerError, M_NOT_FOUND or a 404
// that is not a Matrix error NotFound, M_FORBIDDEN or 403 Forbidden;
// anything else is fallback.
func Classify(status int, body []byte, fallback Code) Code {
	r := ParseReply(body)
	switch {
	case status == 429 || r.Errcode == "M_LIMIT_EXCEEDED":
		return RateLimited
	case status >= 500:
		return ServerError
	case r.Errcode == "M_NOT_FOUND" || (status == 404 && !r.Matrix):
		return NotFound
	case r.Errcode == "M_FORBIDDEN" || status == 403:
		return Forbidden
	}
	return fallback
}

// RetryPolicy bounds retries of rate-limited requests.
type RetryPolicy struct {
	// Attempts is the total number of tries, at least 1. Zero means 3.
	Attempts int
	// MaxWait is the longest single wait we accept; a longer retry hint ends
	// the retries with RateLimited at once. Zero means 10 s.
	MaxWait time.Duration
	// DefaultWait is used when a 429 carries no hint. Zero means 1 s.
	DefaultWait time.Duration
	// Sleep waits for d or until ctx ends; nil means a real timer. Tests
	// inject an instant one.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Do runs attempt until it returns something other than a RateLimited
// *Error, waiting the server's RetryAfter between tries, within the policy.
// The last RateLimited error is returned when the tries run out.
func (p RetryPolicy) Do(ctx context.Context, attempt func() error) error {
	n := p.Attempts
	if n <= 0 {
		n = 3
	}
	maxWait := p.MaxWait
	if maxWait <= 0 {
		maxWait = 10 * time.Second
	}
	def := p.DefaultWait
	if def <= 0 {
		def = time.Second
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = SleepCtx
	}
	var err error
	for i := 0; i < n; i++ {
		err = attempt()
		var e *Error
		if !errors.As(err, &e) || e.Code != RateLimited {
			return err
		}
		wait := e.RetryAfter
		if wait <= 0 {
			wait = def
		}
		if i == n-1 || wait > maxWait {
			return err
		}
		if serr := sleep(ctx, wait); serr != nil {
			return FromContext("retry", serr)
		}
	}
	return err
}

// SleepCtx sleeps for d or until ctx is done.
func SleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// FromContext turns a context error into Timeout (deadline) or Network
// (cancelled), keeping the cause.
func FromContext(op string, err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: Timeout, Op: op, Err: err}
	}
	return &Error{Code: Network, Op: op, Err: err}
}
