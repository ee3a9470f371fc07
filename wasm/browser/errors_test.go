package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want errorInfo // Message is checked separately
	}{
		{name: "autherr keeps its fields",
			err: &autherr.Error{Code: autherr.RateLimited, Status: 429, Errcode: "M_LIMIT_EXCEEDED",
				RetryAfter: 2500 * time.Millisecond, Details: map[string]string{"k": "v"}},
			want: errorInfo{Code: autherr.RateLimited, Status: 429, Errcode: "M_LIMIT_EXCEEDED", RetryAfterMs: 2500,
				Details: map[string]string{"k": "v"}}},
		{name: "wrapped autherr", err: fmt.Errorf("outer: %w", autherr.New(autherr.NotFound, "op", "x")),
			want: errorInfo{Code: autherr.NotFound}},
		{name: "deadline", err: context.DeadlineExceeded, want: errorInfo{Code: autherr.Timeout}},
		{name: "cancel", err: context.Canceled, want: errorInfo{Code: autherr.Network}},
		{name: "abort", err: errAborted, want: errorInfo{Code: autherr.Network, Details: map[string]string{"reason": ReasonAborted}}},
		{name: "anything else is internal", err: errors.New("boom"),
			want: errorInfo{Code: CodeInternal, Details: map[string]string{"reason": ReasonInternal}}},
		{name: "autherr without code", err: &autherr.Error{Err: errors.New("x")}, want: errorInfo{Code: CodeInternal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describe(tt.err)
			if got.Message != tt.err.Error() {
				t.Errorf("got message %q, want %q", got.Message, tt.err.Error())
			}
			got.Message = ""
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPanicError(t *testing.T) {
	e := panicError(strings.Repeat("é", 300))
	if e.Code != autherr.ServerError || e.Details["reason"] != ReasonInternal {
		t.Errorf("got %+v, want server_error/internal", e)
	}
	if len(e.Error()) > 300 || !strings.HasSuffix(e.Error(), "…") {
		t.Errorf("panic text not clipped: %d bytes", len(e.Error()))
	}
}
