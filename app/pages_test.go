package mxapp

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
)

// render mounts c in go-app's test engine and returns its HTML.
func render(t *testing.T, c app.Composer) string {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	return app.HTMLString(c)
}

func TestSignInPage(t *testing.T) {
	info := &auth.ServerInfo{ServerName: "example.org", OAuth: &signin.OAuthInfo{PromptValues: []string{"create"}},
		Steps: []signin.Step{{Name: "well-known", Status: 200, Result: "ok", Duration: 5 * time.Millisecond}}}
	info.Hints = signin.DecideHints(info)
	html := render(t, &SignIn{env: &Env{}, server: "example.org", info: info})
	for _, want := range []string{`id="continue"`, "Continue with example.org", `id="create"`, "Client discovery", "5 ms"} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in\n%s", want, html)
		}
	}
	if strings.Contains(html, `type="password"`) {
		t.Error("a password field on a delegating server")
	}

	pw := &auth.ServerInfo{ServerName: "pw.example", Login: &signin.LoginInfo{Flows: []string{"m.login.password"}}}
	pw.Hints = signin.DecideHints(pw)
	html = render(t, &SignIn{env: &Env{}, info: pw})
	if strings.Contains(html, `id="continue"`) || strings.Contains(html, `type="password"`) || !strings.Contains(html, "cannot sign in here") {
		t.Errorf("password-only server:\n%s", html)
	}

	html = render(t, &SignIn{env: &Env{}, err: autherr.New(autherr.Network, "well-known", "no answer")})
	if !strings.Contains(html, "CORS") || !strings.Contains(html, `role="alert"`) || !strings.Contains(html, "code: network") {
		t.Errorf("network failure:\n%s", html)
	}
}

func TestCallbackPage(t *testing.T) {
	now := time.Unix(2_000_000, 0)
	s := &auth.Session{UserID: "@alice:example.org", DeviceID: "ABCDEFGHIJ", ExpiresAt: now.Add(90 * time.Second),
		AccountManagementURI: "https://auth.example.org/account/", AccountManagementActions: []string{"org.matrix.profile"}}
	html := render(t, &Callback{env: &Env{Now: func() time.Time { return now }}, session: s})
	for _, want := range []string{"@alice:example.org", "ABCDEFGHIJ", ">1:30<", "Refresh now", "Sign out", "Manage account", "action=org.matrix.profile"} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in\n%s", want, html)
		}
	}
	if html := render(t, &Callback{env: &Env{}}); !strings.Contains(html, "Nobody is signed in") {
		t.Errorf("no session:\n%s", html)
	}
}

func TestRoomPageHostile(t *testing.T) {
	s := &room.Summary{RoomID: "!h:x", Name: sandbox.HostileText, Topic: sandbox.HostileText, NumJoinedMembers: 7, Source: room.SourceRoomSummary}
	html := render(t, &RoomPage{env: &Env{}, ref: "#hostile:x", summary: s})
	if strings.Contains(html, "<img src=x") || strings.Contains(html, "<script>alert") {
		t.Fatalf("room text inserted as HTML:\n%s", html)
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;", "7 members", "stable room summary",
		"&lt;mxauth-room-card room=&#34;#hostile:x&#34;&gt;&lt;/mxauth-room-card&gt;", "mxauth badge &#39;#hostile:x&#39; &gt; badge.svg", "<svg"} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in\n%s", want, html)
		}
	}
	if html := render(t, &RoomPage{env: &Env{}, err: errors.New("boom")}); !strings.Contains(html, "boom") {
		t.Errorf("error not shown:\n%s", html)
	}
}

func TestCheckPage(t *testing.T) {
	info := &auth.ServerInfo{ServerName: "x", BaseURL: "https://x", Versions: []string{"v1.15"},
		Steps: []signin.Step{{Name: "well-known", URL: "https://x/.well-known/matrix/client", Status: 200, Result: "ok"}}}
	html := render(t, &Check{env: &Env{InBrowser: true}, info: info, clientURI: "https://mxauth.example/", redirect: "http://127.0.0.1:1/callback.html"})
	for _, want := range []string{`data-cors="yes"`, "Accepted as a native client", "Auth metadata", "enable MAS"} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in\n%s", want, html)
		}
	}
	probe := &ProbeResult{URL: "https://x/.well-known/matrix/client", Reachable: true}
	html = render(t, &Check{env: &Env{}, err: autherr.New(autherr.Network, "well-known", "no answer"), probe: probe,
		clientURI: "http://mxauth.example/", redirect: "http://127.0.0.1:1/"})
	for _, want := range []string{`data-cors="no"`, "without CORS headers", "Refused", "rule https, field client_uri"} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in\n%s", want, html)
		}
	}
}
