//go:build js && wasm

package main

import (
	"context"
	"os"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/wasm/browser"
	"github.com/mxauth/mxauth/wasm/browser/store"
)

// sandboxServer returns the sandbox's base URL and server name, which the
// native TestJS in wasm/browser starts and passes in.
func sandboxServer(t *testing.T) (base, name string) {
	t.Helper()
	base = os.Getenv("MXAUTH_TEST_SANDBOX")
	if base == "" {
		t.Skip("MXAUTH_TEST_SANDBOX is not set: run `go test ./wasm/browser` natively, which serves and runs this")
	}
	return base, strings.TrimPrefix(base, "http://")
}

// settle awaits a Promise and returns its value or its rejection reason.
func settle(t *testing.T, p js.Value) (value, reason js.Value, rejected bool) {
	t.Helper()
	if p.Type() != js.TypeObject || p.Get("then").Type() != js.TypeFunction {
		t.Fatalf("got %s, want a Promise", p.Type())
	}
	type result struct {
		v        js.Value
		rejected bool
	}
	ch := make(chan result, 1)
	var ok, fail js.Func
	ok = js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- result{v: browser.Arg(a, 0)}; return nil })
	fail = js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- result{v: browser.Arg(a, 0), rejected: true}; return nil })
	defer ok.Release()
	defer fail.Release()
	p.Call("then", ok, fail)
	select {
	case r := <-ch:
		if r.rejected {
			return js.Undefined(), r.v, true
		}
		return r.v, js.Undefined(), false
	case <-time.After(20 * time.Second):
		t.Fatal("the Promise did not settle")
		return
	}
}

func jsonOf(v js.Value) string { return js.Global().Get("JSON").Call("stringify", v).String() }

func obj(kv ...any) js.Value {
	o := js.Global().Get("Object").New()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// memoryConfig is an API on memory storage; opened counts the opens.
func memoryConfig(timeout time.Duration, opened *int) config {
	return config{Timeout: timeout, Mode: store.StorageMemory,
		Open: func(context.Context) (*store.Storage, error) {
			if opened != nil {
				*opened++
			}
			return &store.Storage{Store: signin.NewMemoryStore(), Mode: store.StorageMemory}, nil
		}}
}

// newTestAPI is the API object as the loader receives it.
func newTestAPI(t *testing.T) js.Value {
	a := newAPI(memoryConfig(5*time.Second, nil))
	t.Cleanup(a.release)
	return a.value()
}

func TestHandshake(t *testing.T) {
	const name = "__mxauthTestReady"
	global := js.Global()
	var got js.Value
	calls := 0
	ready := js.FuncOf(func(_ js.Value, args []js.Value) any {
		calls++
		got = browser.Arg(args, 0)
		return nil
	})
	defer ready.Release()
	global.Set(name, ready)

	a := newAPI(memoryConfig(0, nil))
	defer a.release()
	if err := browser.Handshake(global, name, a.value()); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if calls != 1 {
		t.Fatalf("ready called %d times, want 1", calls)
	}
	for _, m := range []string{"discover", "startLogin", "login", "session", "roomSummary", "roomBadge", "addEventListener", "removeEventListener"} {
		if got.Get(m).Type() != js.TypeFunction {
			t.Errorf("api.%s is %s, want a function", m, got.Get(m).Type())
		}
	}
	// What needs a token is the session build's.
	for _, m := range []string{"completeLogin", "accessToken", "logout", "accountUrl"} {
		if !got.Get(m).IsUndefined() {
			t.Errorf("api.%s is %s in the small build", m, got.Get(m).Type())
		}
	}
	if !global.Get(name).IsUndefined() {
		t.Error("the ready callback is still on globalThis")
	}
	// No callback: an error that says what to do, not a hang.
	if err := browser.Handshake(global, name, a.value()); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("got %v, want an error naming %s", err, name)
	}
	// A throwing callback is reported, not a crash.
	global.Set(name, js.Global().Get("Function").New("throw new Error('loader bug')"))
	if err := browser.Handshake(global, name, a.value()); err == nil {
		t.Error("a throwing callback gave no error")
	}
}

func TestRoomSummary(t *testing.T) {
	base, name := sandboxServer(t)
	api := newTestAPI(t)
	publicID := sandbox.RoomID(sandbox.RoomPublic, name)
	tests := []struct {
		name   string
		room   string
		opts   js.Value
		wantID string
	}{
		// The alias names the server; the well-known lookup finds the base URL.
		{name: "alias, resolved by well-known", room: sandbox.RoomAlias(sandbox.RoomPublic, name), opts: js.Undefined(), wantID: publicID},
		{name: "room id with server name", room: publicID, opts: obj("server", name), wantID: publicID},
		{name: "room id with base URL and via list", room: publicID,
			opts: obj("server", base, "via", js.ValueOf([]any{name})), wantID: publicID},
		{name: "room id with one via", room: publicID, opts: obj("via", name), wantID: publicID},
		{name: "matrix.to link", room: "https://matrix.to/#/" + strings.ReplaceAll(sandbox.RoomAlias(sandbox.RoomKnock, name), "#", "%23"),
			opts: obj(), wantID: sandbox.RoomID(sandbox.RoomKnock, name)},
		{name: "matrix: URI", room: "matrix:roomid/" + strings.TrimPrefix(publicID, "!") + "?via=" + name,
			opts: js.Null(), wantID: publicID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, reason, rejected := settle(t, api.Call("roomSummary", tt.room, tt.opts))
			if rejected {
				t.Fatalf("rejected: %s %s", reason.Get("code"), reason.Get("message"))
			}
			if got := v.Get("roomId").String(); got != tt.wantID {
				t.Errorf("got roomId %q, want %q (%s)", got, tt.wantID, jsonOf(v))
			}
			if v.Get("numJoinedMembers").Type() != js.TypeNumber || v.Get("via").Type() != js.TypeObject ||
				v.Get("source").String() != "room_summary" || !strings.HasPrefix(v.Get("matrixToUrl").String(), "https://matrix.to/#/") {
				t.Errorf("not a CONTRACT RoomSummary: %s", jsonOf(v))
			}
		})
	}
}

func TestRoomSummaryPublicFields(t *testing.T) {
	_, name := sandboxServer(t)
	api := newTestAPI(t)
	v, reason, rejected := settle(t, api.Call("roomSummary", sandbox.RoomAlias(sandbox.RoomPublic, name)))
	if rejected {
		t.Fatalf("rejected: %s", reason.Get("message"))
	}
	if got := v.Get("numJoinedMembers").Int(); got != 1234 {
		t.Errorf("got numJoinedMembers %d, want 1234", got)
	}
	if got := v.Get("canonicalAlias").String(); got != sandbox.RoomAlias(sandbox.RoomPublic, name) {
		t.Errorf("got canonicalAlias %q", got)
	}
	if !v.Get("worldReadable").Bool() {
		t.Error("got worldReadable false, want true")
	}
	// The card's view comes decided from Go, equal to room.Card's.
	want := room.Card(&room.Summary{Name: v.Get("name").String(), RoomID: v.Get("roomId").String(), NumJoinedMembers: 1234})
	view := v.Get("view")
	for k, w := range map[string]string{"title": want.Title, "initials": want.Initials, "color": want.Color,
		"members": "1.2k members", "membersTitle": "1,234 joined"} {
		if got := view.Get(k); got.Type() != js.TypeString || got.String() != w {
			t.Errorf("view.%s = %v, want %q", k, got, w)
		}
	}
}

// TestRoomSummaryHostileName proves a hostile name reaches JavaScript as the
// same text, not something parsed.
func TestRoomSummaryHostileName(t *testing.T) {
	_, name := sandboxServer(t)
	api := newTestAPI(t)
	v, reason, rejected := settle(t, api.Call("roomSummary", sandbox.RoomAlias(sandbox.RoomHostile, name)))
	if rejected {
		t.Fatalf("rejected: %s", reason.Get("message"))
	}
	if got := v.Get("name").String(); got != sandbox.HostileText {
		t.Errorf("got name %q, want %q", got, sandbox.HostileText)
	}
}

func TestRoomSummaryRejects(t *testing.T) {
	_, name := sandboxServer(t)
	closed := os.Getenv("MXAUTH_TEST_CLOSED")
	api := newTestAPI(t)
	aborted := js.Global().Get("AbortController").New()
	aborted.Call("abort")
	tests := []struct {
		name     string
		args     []any
		wantCode string
		wantMsg  string
		status   int
	}{
		{name: "no arguments", args: nil, wantCode: "invalid_input", wantMsg: "room must be a string"},
		{name: "not a room", args: []any{"@alice:example.org"}, wantCode: "invalid_input"},
		{name: "options not an object", args: []any{"#a:" + name, "x"}, wantCode: "invalid_input"},
		{name: "via of the wrong type", args: []any{"#a:" + name, obj("via", 3)}, wantCode: "invalid_input", wantMsg: "via"},
		{name: "unknown room", args: []any{sandbox.RoomAlias("nosuch", name)}, wantCode: "not_found", status: 404},
		{name: "signal already aborted", args: []any{"#a:" + name, obj("signal", aborted.Get("signal"))}, wantCode: "network"},
		{name: "http for a public host", args: []any{"#a:example.org", obj("server", "http://example.org")}, wantCode: "invalid_input"},
		{name: "well-known unreachable", args: []any{"!r:x", obj("server", strings.TrimPrefix(closed, "http://"))},
			wantCode: "discovery_failed", wantMsg: "CORS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reason, rejected := settle(t, api.Call("roomSummary", tt.args...))
			if !rejected {
				t.Fatal("resolved, want a rejection")
			}
			if reason.Get("name").String() != "MxAuthError" || !reason.InstanceOf(js.Global().Get("Error")) {
				t.Errorf("got %s, want an MxAuthError", jsonOf(reason))
			}
			if got := reason.Get("code").String(); got != tt.wantCode {
				t.Errorf("got code %q (%s), want %q", got, reason.Get("message"), tt.wantCode)
			}
			if !strings.Contains(reason.Get("message").String(), tt.wantMsg) {
				t.Errorf("got message %q, want it to contain %q", reason.Get("message"), tt.wantMsg)
			}
			if tt.status != 0 && reason.Get("status").Int() != tt.status {
				t.Errorf("got status %s, want %d", jsonOf(reason.Get("status")), tt.status)
			}
		})
	}
}

// TestRoomSummarySlowServer uses the one room whose summary the driver
// (TestJS in wasm/browser) makes answer after 30 s: an abort and the
// per-request timeout must both end the call promptly.
func TestRoomSummarySlowServer(t *testing.T) {
	base, name := sandboxServer(t)
	slow := sandbox.RoomID(sandbox.RoomSpace, name)
	t.Run("abort", func(t *testing.T) {
		api := newTestAPI(t)
		ac := js.Global().Get("AbortController").New()
		start := time.Now()
		p := api.Call("roomSummary", slow, obj("server", base, "signal", ac.Get("signal")))
		time.AfterFunc(200*time.Millisecond, func() { ac.Call("abort") })
		_, reason, rejected := settle(t, p)
		if !rejected {
			t.Fatal("resolved, want a rejection")
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("took %v", took)
		}
		if reason.Get("code").String() != "network" || reason.Get("details").Get("reason").String() != "aborted" {
			t.Errorf("got %s %s, want network/aborted", reason.Get("code"), jsonOf(reason.Get("details")))
		}
	})
	t.Run("timeout", func(t *testing.T) {
		a := newAPI(memoryConfig(300*time.Millisecond, nil))
		defer a.release()
		start := time.Now()
		_, reason, rejected := settle(t, a.value().Call("roomSummary", slow, obj("server", base)))
		if !rejected || reason.Get("code").String() != "timeout" {
			t.Errorf("got rejected=%v %s, want timeout", rejected, jsonOf(reason))
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("took %v", took)
		}
	})
}

func TestRoomBadge(t *testing.T) {
	_, name := sandboxServer(t)
	api := newTestAPI(t)
	tests := []struct {
		name string
		opts js.Value
		want []string
	}{
		{name: "default", opts: js.Undefined(), want: []string{"<svg", "1.2k members", "[matrix]"}},
		{name: "label and dark style", opts: obj("label", "chat <here>", "style", "dark"), want: []string{"<svg", "chat &lt;here&gt;", "1.2k members"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, reason, rejected := settle(t, api.Call("roomBadge", sandbox.RoomAlias(sandbox.RoomPublic, name), tt.opts))
			if rejected {
				t.Fatalf("rejected: %s", reason.Get("message"))
			}
			if v.Type() != js.TypeString {
				t.Fatalf("got %s, want a string", v.Type())
			}
			for _, w := range tt.want {
				if !strings.Contains(v.String(), w) {
					t.Errorf("badge lacks %q: %s", w, v.String())
				}
			}
		})
	}
	_, reason, rejected := settle(t, api.Call("roomBadge", sandbox.RoomAlias("nosuch", name)))
	if !rejected || reason.Get("code").String() != "not_found" {
		t.Errorf("unknown room: got rejected=%v %s, want not_found", rejected, jsonOf(reason))
	}
}

func TestTimeoutFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want time.Duration
	}{{"", 0}, {"2500", 2500 * time.Millisecond}, {"-1", 0}, {"soon", 0}} {
		os.Setenv("MXAUTH_TIMEOUT_MS", tt.env)
		if got := browser.TimeoutFromEnv(); got != tt.want {
			t.Errorf("MXAUTH_TIMEOUT_MS=%q: got %v, want %v", tt.env, got, tt.want)
		}
	}
	os.Unsetenv("MXAUTH_TIMEOUT_MS")
}
