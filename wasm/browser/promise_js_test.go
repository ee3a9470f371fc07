//go:build js && wasm

package browser

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
)

func TestPromiseResolves(t *testing.T) {
	s := &room.Summary{RoomID: "!a:b", Name: "Room", NumJoinedMembers: 3, Via: []string{}, Source: room.SourceRoomSummary}
	want, _ := json.Marshal(s)
	tests := []struct {
		name     string
		value    any
		wantJSON string
		wantType js.Type
	}{
		{name: "struct", value: s, wantJSON: string(want), wantType: js.TypeObject},
		{name: "string", value: "<svg/>", wantJSON: `"<svg/>"`, wantType: js.TypeString},
		{name: "nil", value: nil, wantJSON: "null", wantType: js.TypeNull},
		{name: "nil pointer", value: (*room.Summary)(nil), wantJSON: "null", wantType: js.TypeNull},
		{name: "bool", value: true, wantJSON: "true", wantType: js.TypeBoolean},
		{name: "js value", value: js.ValueOf(map[string]any{"k": "v"}), wantJSON: `{"k":"v"}`, wantType: js.TypeObject},
		{name: "map", value: map[string]int{"n": 1}, wantJSON: `{"n":1}`, wantType: js.TypeObject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, reason, rejected := settle(t, Promise(func(context.Context) (any, error) { return tt.value, nil }))
			if rejected {
				t.Fatalf("rejected: %s", reason.Get("message"))
			}
			if v.Type() != tt.wantType {
				t.Errorf("got type %s, want %s", v.Type(), tt.wantType)
			}
			if got := jsonOf(v); got != tt.wantJSON {
				t.Errorf("got %s, want %s", got, tt.wantJSON)
			}
		})
	}
}

func TestPromiseRejectsWithMxAuthError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want map[string]any // property → value; nil means must be undefined
	}{
		{name: "every field",
			err: &autherr.Error{Code: autherr.RateLimited, Status: 429, Errcode: "M_LIMIT_EXCEEDED",
				Message: "Too many requests", RetryAfter: 1500 * time.Millisecond,
				Details: map[string]string{"server": "example.org"}, Op: "room: summary"},
			want: map[string]any{"code": "rate_limited", "status": 429, "errcode": "M_LIMIT_EXCEEDED",
				"retryAfterMs": 1500, "details.server": "example.org"}},
		{name: "code only",
			err:  autherr.New(autherr.NotFound, "room: summary", "no such room"),
			want: map[string]any{"code": "not_found", "status": nil, "errcode": nil, "retryAfterMs": nil, "details": nil}},
		{name: "wrapped autherr",
			err:  errors.Join(errors.New("context"), &autherr.Error{Code: autherr.Forbidden, Status: 403}),
			want: map[string]any{"code": "forbidden", "status": 403}},
		{name: "deadline", err: context.DeadlineExceeded, want: map[string]any{"code": "timeout"}},
		{name: "plain error is internal", err: errors.New("boom"),
			want: map[string]any{"code": "server_error", "details.reason": "internal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason, rejected := settle(t, Promise(func(context.Context) (any, error) { return nil, tt.err }))
			if !rejected {
				t.Fatal("resolved, want a rejection")
			}
			checkMxAuthError(t, reason, tt.err.Error(), tt.want)
		})
	}
}

// checkMxAuthError checks the shape CONTRACT.md §1 promises.
func checkMxAuthError(t *testing.T, e js.Value, wantMessage string, want map[string]any) {
	t.Helper()
	if !e.InstanceOf(js.Global().Get("Error")) {
		t.Fatalf("rejection %s is not an Error", jsonOf(e))
	}
	if got := e.Get("name").String(); got != "MxAuthError" {
		t.Errorf("got name %q, want MxAuthError", got)
	}
	if wantMessage != "" && e.Get("message").String() != wantMessage {
		t.Errorf("got message %q, want %q", e.Get("message").String(), wantMessage)
	}
	for path, w := range want {
		v := e
		for _, p := range strings.Split(path, ".") {
			if v.Type() != js.TypeObject {
				v = js.Undefined()
				break
			}
			v = v.Get(p)
		}
		switch w := w.(type) {
		case nil:
			if !v.IsUndefined() {
				t.Errorf("got %s = %s, want undefined", path, jsonOf(v))
			}
		case string:
			if v.Type() != js.TypeString || v.String() != w {
				t.Errorf("got %s = %s, want %q", path, jsonOf(v), w)
			}
		case int:
			if v.Type() != js.TypeNumber || v.Int() != w {
				t.Errorf("got %s = %s, want %d", path, jsonOf(v), w)
			}
		}
	}
}

func TestPromiseRecoversPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func(context.Context) (any, error)
	}{
		{name: "panic in the work", fn: func(context.Context) (any, error) { panic("kaboom") }},
		{name: "nil map write", fn: func(context.Context) (any, error) {
			var m map[string]int
			m["x"] = 1
			return nil, nil
		}},
		{name: "value that cannot be JSON", fn: func(context.Context) (any, error) { return func() {}, nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason, rejected := settle(t, Promise(tt.fn))
			if !rejected {
				t.Fatal("resolved, want a rejection")
			}
			checkMxAuthError(t, reason, "", map[string]any{"code": "server_error", "details.reason": "internal"})
		})
	}
	// The program is still alive and the bridge still works.
	v, _, rejected := settle(t, Promise(func(context.Context) (any, error) { return "alive", nil }))
	if rejected || v.String() != "alive" {
		t.Fatal("the bridge stopped working after a panic")
	}
}

func TestPromiseAbortSignal(t *testing.T) {
	ac := js.Global().Get("AbortController").New()
	started := make(chan struct{})
	sawCancel := make(chan struct{})
	p := PromiseSignal(ac.Get("signal"), func(ctx context.Context) (any, error) {
		close(started)
		<-ctx.Done()
		close(sawCancel)
		return "too late", nil // the abort wins whatever the work returns
	})
	<-started
	ac.Call("abort")
	_, reason, rejected := settle(t, p)
	if !rejected {
		t.Fatal("resolved, want a rejection")
	}
	checkMxAuthError(t, reason, "", map[string]any{"code": "network", "details.reason": "aborted"})
	select {
	case <-sawCancel:
	case <-time.After(5 * time.Second):
		t.Fatal("the work's context was not cancelled")
	}
}

func TestPromiseSignalAbortedBefore(t *testing.T) {
	ac := js.Global().Get("AbortController").New()
	ac.Call("abort")
	ran := false
	_, reason, rejected := settle(t, PromiseSignal(ac.Get("signal"), func(context.Context) (any, error) {
		ran = true
		return nil, nil
	}))
	if !rejected || ran {
		t.Fatalf("got rejected=%v ran=%v, want a rejection without running", rejected, ran)
	}
	checkMxAuthError(t, reason, "", map[string]any{"code": "network", "details.reason": "aborted"})
}

func TestPromiseSignalNotAborted(t *testing.T) {
	ac := js.Global().Get("AbortController").New()
	v, _, rejected := settle(t, PromiseSignal(ac.Get("signal"), func(context.Context) (any, error) { return "ok", nil }))
	if rejected || v.String() != "ok" {
		t.Fatalf("got %v rejected=%v, want ok", jsonOf(v), rejected)
	}
	// After settling, the listener is gone: aborting now must not call a
	// released js.Func (which would print "call to released function").
	ac.Call("abort")
}

func TestPromiseBadSignal(t *testing.T) {
	for _, s := range []js.Value{js.ValueOf("yes"), parse(`{"aborted":false}`)} {
		_, reason, rejected := settle(t, PromiseSignal(s, func(context.Context) (any, error) { return nil, nil }))
		if !rejected {
			t.Fatalf("signal %s: resolved, want invalid_input", jsonOf(s))
		}
		checkMxAuthError(t, reason, "", map[string]any{"code": "invalid_input"})
	}
}

func TestSignalOption(t *testing.T) {
	ac := js.Global().Get("AbortController").New()
	opts := js.Global().Get("Object").New()
	opts.Set("signal", ac.Get("signal"))
	if !SignalOption(opts).Equal(ac.Get("signal")) {
		t.Error("SignalOption did not return opts.signal")
	}
	if !SignalOption(js.Undefined()).IsUndefined() || !SignalOption(js.ValueOf("x")).IsUndefined() {
		t.Error("SignalOption of a non-object should be undefined")
	}
}
