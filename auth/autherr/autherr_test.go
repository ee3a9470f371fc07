package autherr

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestFromReply: the answer's facts are carried whatever the status, the
// caller's code is kept, and Classify gives the usual reading.
func TestFromReply(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		code    Code
		errcode string
		message string
		retry   time.Duration
	}{
		{"matrix 429", 429, `{"errcode":"M_LIMIT_EXCEEDED","error":"slow","retry_after_ms":1500}`, RateLimited, "M_LIMIT_EXCEEDED", "slow", 1500 * time.Millisecond},
		{"429 without body", 429, ``, RateLimited, "", "the server answered HTTP 429", 0},
		{"huge retry hint is capped", 429, `{"errcode":"M_LIMIT_EXCEEDED","error":"x","retry_after_ms":1e12}`, RateLimited, "M_LIMIT_EXCEEDED", "x", MaxRetryAfter},
		{"502 html", 502, `<html>bad gateway</html>`, ServerError, "", "the server answered HTTP 502", 0},
		{"matrix not found", 404, `{"errcode":"M_NOT_FOUND","error":"Room not found"}`, NotFound, "M_NOT_FOUND", "Room not found", 0},
		{"plain 404", 404, `not found`, NotFound, "", "the server answered HTTP 404", 0},
		{"forbidden", 403, `{"errcode":"M_FORBIDDEN","error":"no"}`, Forbidden, "M_FORBIDDEN", "no", 0},
		{"oauth error", 400, `{"error":"invalid_grant","error_description":"refresh token expired"}`, TokenExchangeFailed, "invalid_grant", "refresh token expired", 0},
		{"matrix 404 of another errcode", 404, `{"errcode":"M_UNRECOGNIZED","error":"no"}`, TokenExchangeFailed, "M_UNRECOGNIZED", "no", 0},
		{"matrix forbidden in a 401", 401, `{"errcode":"M_FORBIDDEN","error":"no"}`, Forbidden, "M_FORBIDDEN", "no", 0},
		{"error of the wrong type", 400, `{"error":{"x":1}}`, TokenExchangeFailed, "", "the server answered HTTP 400", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := FromReply("op", InvalidInput, tt.status, []byte(tt.body))
			if e.Code != InvalidInput {
				t.Errorf("FromReply changed the caller's code to %s", e.Code)
			}
			if c := Classify(tt.status, []byte(tt.body), TokenExchangeFailed); c != tt.code {
				t.Errorf("Classify = %s, want %s", c, tt.code)
			}
			e.Code = tt.code
			if e.Code != tt.code || e.Errcode != tt.errcode || e.Message != tt.message || e.RetryAfter != tt.retry || e.Status != tt.status {
				t.Errorf("got %+v, want code %s errcode %q message %q retry %v", e, tt.code, tt.errcode, tt.message, tt.retry)
			}
			if !strings.HasPrefix(e.Error(), "auth: op: ") {
				t.Errorf("message %q lacks its prefix", e.Error())
			}
		})
	}
}

func TestParseReplyBoundsMessage(t *testing.T) {
	r := ParseReply([]byte(`{"errcode":"M_UNKNOWN","error":"` + strings.Repeat("é", 1000) + `"}`))
	if len(r.Message) > maxMessage+len("…") {
		t.Errorf("message kept %d bytes", len(r.Message))
	}
}

func TestRetryPolicy(t *testing.T) {
	var waits []time.Duration
	p := RetryPolicy{Attempts: 3, Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	calls := 0
	err := p.Do(context.Background(), func() error {
		calls++
		return &Error{Code: RateLimited, RetryAfter: 200 * time.Millisecond}
	})
	if CodeOf(err) != RateLimited || calls != 3 || len(waits) != 2 || waits[0] != 200*time.Millisecond {
		t.Errorf("got err %v after %d calls, waits %v", err, calls, waits)
	}

	// A hint longer than MaxWait ends the retries at once.
	calls = 0
	p.MaxWait = time.Second
	err = p.Do(context.Background(), func() error {
		calls++
		return &Error{Code: RateLimited, RetryAfter: time.Minute}
	})
	if calls != 1 || CodeOf(err) != RateLimited {
		t.Errorf("long hint: %d calls, %v", calls, err)
	}

	// Other errors are not retried.
	calls = 0
	err = p.Do(context.Background(), func() error { calls++; return &Error{Code: ServerError} })
	if calls != 1 || CodeOf(err) != ServerError {
		t.Errorf("server error: %d calls, %v", calls, err)
	}

	// A cancelled wait is a network error carrying the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = RetryPolicy{}.Do(ctx, func() error { return &Error{Code: RateLimited, RetryAfter: time.Millisecond} })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

func TestErrorIsByCode(t *testing.T) {
	err := error(&Error{Code: NotFound, Status: 404, Op: "x"})
	if !errors.Is(err, &Error{Code: NotFound}) || errors.Is(err, &Error{Code: Forbidden}) {
		t.Error("errors.Is by code does not work")
	}
	if w := Wrap(ServerError, "y", err); w.Code != NotFound {
		t.Errorf("Wrap replaced the inner code: %v", w)
	}
}
