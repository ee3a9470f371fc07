//go:build js && wasm

package main

import (
	"net/url"
	"os"
	"strings"
	"syscall/js"
	"testing"

	"github.com/mxauth/mxauth/auth/sandbox"
)

// TestLegacyLogin: the legacy SSO route through the session build: the
// provider buttons of discover, startLogin to a provider, completeLogin
// of the loginToken callback, accessToken, an avatar as a Blob, logout.
func TestLegacyLogin(t *testing.T) {
	base := os.Getenv("MXAUTH_TEST_LEGACY")
	if base == "" {
		t.Skip("MXAUTH_TEST_LEGACY is not set: run `go test ./wasm/session` natively")
	}
	_, api := newTestAPI(t, config{})
	info := must(t, "discover", api.Call("discover", base))
	if !info.Get("oauth").IsNull() || info.Get("hints").Get("providers").Length() != 2 {
		t.Fatalf("discover = %s", jsonOf(info))
	}
	// Signed out, thumbnail resolves to null (the card keeps its initials).
	mxc := "mxc://" + strings.TrimPrefix(base, "http://") + "/" + sandbox.MediaID(sandbox.RoomPublic)
	if v := must(t, "thumbnail signed out", api.Call("thumbnail", mxc)); !v.IsNull() {
		t.Errorf("thumbnail signed out = %s", jsonOf(v))
	}

	opts := loginOpts(info)
	opts.Set("idp", info.Get("hints").Get("providers").Index(1).Get("idp"))
	opts.Set("state", obj("returnTo", "/x"))
	start := must(t, "startLogin", api.Call("startLogin", opts))
	u, err := url.Parse(start.Get("url").String())
	if err != nil || u.Path != "/_matrix/client/v3/login/sso/redirect/saml-corp" {
		t.Fatalf("startLogin url = %s", start.Get("url").String())
	}
	cb := callbackURL(t, u.String())
	if !strings.Contains(cb, "loginToken=") {
		t.Fatalf("callback %s", cb)
	}
	done := must(t, "completeLogin", api.Call("completeLogin", cb))
	s := done.Get("session")
	if s.Get("kind").String() != "legacy" || !strings.HasPrefix(s.Get("userId").String(), "@alice:") || jsonOf(done.Get("state")) != `{"returnTo":"/x"}` {
		t.Fatalf("completeLogin = %s", jsonOf(done))
	}
	rejection(t, "completeLogin replay", api.Call("completeLogin", cb), "no_pending_login")
	if tok := must(t, "accessToken", api.Call("accessToken")); tok.String() == "" {
		t.Fatal("no access token")
	}

	blob := must(t, "thumbnail", api.Call("thumbnail", mxc, obj("width", 48, "height", 48)))
	if !blob.InstanceOf(js.Global().Get("Blob")) || blob.Get("type").String() != "image/png" || blob.Get("size").Int() == 0 {
		t.Fatalf("thumbnail = %s", jsonOf(blob))
	}
	if v := must(t, "thumbnail of another server", api.Call("thumbnail", mxc, obj("server", "other.example"))); !v.IsNull() {
		t.Errorf("thumbnail for another server = %s", jsonOf(v))
	}
	rejection(t, "thumbnail unknown", api.Call("thumbnail", "mxc://"+strings.TrimPrefix(base, "http://")+"/nosuch"), "not_found")

	if v := must(t, "logout", api.Call("logout")); !v.IsUndefined() {
		t.Errorf("logout = %s", jsonOf(v))
	}
	if got := must(t, "session after logout", api.Call("session")); !got.IsNull() {
		t.Errorf("session() after logout = %s", jsonOf(got))
	}
}
