//go:build js && wasm

package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/signin"
	"github.com/mxauth/mxauth/wasm/browser/store"
)

// The small build starts most logins: it asks for the device the session
// build remembered when a session ended (the same Store record), unless the
// page says deviceId "new" (issue 16).
func TestStartLoginRemembersDevice(t *testing.T) {
	base, name := sandboxServer(t)
	st := signin.NewMemoryStore()
	a := newAPI(config{Timeout: 5 * time.Second, Mode: store.StorageMemory,
		Open: func(context.Context) (*store.Storage, error) {
			return &store.Storage{Store: st, Mode: store.StorageMemory}, nil
		}})
	t.Cleanup(a.release)
	api := a.value()
	info, reason, rejected := settle(t, api.Call("discover", base))
	if rejected {
		t.Fatalf("discover: %s", jsonOf(reason))
	}
	const remembered = "REMEMBERED01"
	c := &signin.Client{Store: st}
	if err := c.RememberDevice(context.Background(), info.Get("oauth").Get("issuer").String(), "@alice:"+name, remembered); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		deviceID string
		hint     string
		want     bool // the remembered device is asked for
	}{
		{"no deviceId", "", "", true},
		{"the same user's hint", "", "@alice:" + name, true},
		{`deviceId "new"`, "new", "", false},
		{"another user's hint", "", "@bob:" + name, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := obj("server", base, "redirectUri", "http://127.0.0.1:9/callback",
				"client", obj("name", "mxauth small build test", "uri", "https://app.example.org/"))
			if tt.deviceID != "" {
				opts.Set("deviceId", tt.deviceID)
			}
			if tt.hint != "" {
				opts.Set("loginHint", tt.hint)
			}
			v, reason, rejected := settle(t, api.Call("startLogin", opts))
			if rejected {
				t.Fatalf("startLogin: %s", jsonOf(reason))
			}
			u, err := url.Parse(v.Get("url").String())
			if err != nil {
				t.Fatal(err)
			}
			scope := u.Query().Get("scope")
			if got := strings.Contains(scope, ":device:"+remembered); got != tt.want {
				t.Errorf("scope %q: asks for %s = %v, want %v", scope, remembered, got, tt.want)
			}
			if !strings.Contains(scope, ":device:") {
				t.Errorf("scope %q has no device", scope)
			}
		})
	}
}
