package browser

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mxauth/mxauth/auth/autherr"
)

// errorInfo is what an MxAuthError carries to JavaScript (CONTRACT.md §1):
// a stable code, a message, and where known the HTTP status, the server's
// errcode, its retry hint and details. It is plain Go so the mapping is
// tested natively; ErrorValue turns it into a JS Error.
type errorInfo struct {
	Code         autherr.Code
	Message      string
	Status       int
	Errcode      string
	RetryAfterMs int64
	Details      map[string]string
}

// Internal failures (a Go panic, a value that would not convert) have no
// code of their own in CONTRACT.md, whose list is closed. They reject with
// CodeInternal, which is server_error (to the page it is "mxauth failed,
// not you"), and with details.reason ReasonInternal, so a bug report can
// tell them from a homeserver's 5xx.
const (
	CodeInternal   = autherr.ServerError
	ReasonInternal = "internal"
	// ReasonAborted is details.reason of a call ended by its AbortSignal.
	// The code is network, as autherr.FromContext gives any cancellation.
	ReasonAborted = "aborted"
)

// errAborted is the cancel cause of a context ended by the caller's
// AbortSignal.
var errAborted = errors.New("aborted by the caller's AbortSignal")

// describe maps any error of a Go call to what JavaScript sees. An
// *autherr.Error keeps its fields; a bare context error becomes
// timeout/network; anything else is an internal error, because every
// mxauth package is meant to return *autherr.Error.
func describe(err error) errorInfo {
	var e *autherr.Error
	if !errors.As(err, &e) {
		switch {
		case errors.Is(err, errAborted):
			e = abortError()
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			e = autherr.FromContext("call", err)
		default:
			e = &autherr.Error{Code: CodeInternal, Op: "call",
				Details: map[string]string{"reason": ReasonInternal}, Err: err}
		}
	}
	info := errorInfo{
		Code:    e.Code,
		Message: err.Error(),
		Status:  e.Status,
		Errcode: e.Errcode,
		Details: e.Details,
	}
	if info.Code == "" {
		info.Code = CodeInternal
	}
	if e.RetryAfter > 0 {
		info.RetryAfterMs = int64(e.RetryAfter / time.Millisecond)
	}
	return info
}

// abortError is the rejection of a call whose AbortSignal fired.
func abortError() *autherr.Error {
	return &autherr.Error{Code: autherr.Network, Op: "call",
		Details: map[string]string{"reason": ReasonAborted}, Err: errAborted}
}

// panicError turns a recovered panic value into an internal error. The
// value is clipped: it may hold anything, and it ends up in a UI.
func panicError(v any) *autherr.Error {
	return &autherr.Error{Code: CodeInternal, Op: "call",
		Details: map[string]string{"reason": ReasonInternal},
		Err:     fmt.Errorf("internal error (Go panic): %s", clip(fmt.Sprint(v), 200))}
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
