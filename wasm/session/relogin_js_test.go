//go:build js && wasm

package main

import (
	"net/url"
	"strings"
	"syscall/js"
	"testing"
)

// deviceOf reads the device id a startLogin URL asks for (its device
// scope, stable or MSC2967 unstable form).
func deviceOf(t *testing.T, start js.Value) string {
	t.Helper()
	u, err := url.Parse(start.Get("url").String())
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range strings.Fields(u.Query().Get("scope")) {
		for _, prefix := range []string{"urn:matrix:client:device:", "urn:matrix:org.matrix.msc2967.client:device:"} {
			if id, ok := strings.CutPrefix(sc, prefix); ok {
				return id
			}
		}
	}
	t.Fatalf("no device scope in %s", u)
	return ""
}

// The same device on re-login (issue 16) through the page's API: logout,
// then a login without deviceId gets the same device in session();
// deviceId "new" asks for another; a loginHint of someone else too.
func TestSameDeviceOnRelogin(t *testing.T) {
	base := sandboxURL(t)
	_, api := newTestAPI(t, config{})
	login := func(what string, opts js.Value) (asked, got string) {
		t.Helper()
		start := must(t, what+" startLogin", api.Call("startLogin", opts))
		asked = deviceOf(t, start)
		done := must(t, what+" completeLogin", api.Call("completeLogin", callbackURL(t, start.Get("url").String())))
		got = done.Get("session").Get("deviceId").String()
		if s := must(t, what+" session", api.Call("session")); s.Get("deviceId").String() != got {
			t.Errorf("%s: session() = %s, completeLogin's device %s", what, jsonOf(s), got)
		}
		return asked, got
	}
	_, first := login("first", loginOpts(base))
	must(t, "logout", api.Call("logout"))

	asked, again := login("again", loginOpts(base))
	if asked != first || again != first {
		t.Errorf("after logout: asked for %s, got %s, want the first device %s", asked, again, first)
	}
	must(t, "logout again", api.Call("logout"))

	fresh := loginOpts(base)
	fresh.Set("deviceId", "new")
	if asked, _ := login("deviceId new", fresh); asked == first {
		t.Errorf(`deviceId "new" asked for the remembered device %s`, first)
	}
	must(t, "logout after new", api.Call("logout"))

	other := loginOpts(base)
	other.Set("loginHint", "@bob:"+strings.TrimPrefix(base, "http://"))
	start := must(t, "hint of bob", api.Call("startLogin", other))
	if d := deviceOf(t, start); d == first {
		t.Errorf("a loginHint of bob asked for alice's device %s", d)
	}
}
