package auth

import (
	"context"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// deviceChain is the whole life of a device session against a server:
// discovery, a device client registration, the code, the person's answer
// (approve plays it), the session, then sessionChain (refreshes, logout,
// session_expired).
func deviceChain(t *testing.T, server string, approve func(t *testing.T, d *DeviceLogin)) {
	t.Helper()
	ctx := context.Background()
	c := loginClient(nil)
	info, err := c.Discover(ctx, server)
	if err != nil {
		t.Fatalf("discover: %v", err)
	}
	if info.OAuth == nil || !slices.Contains(info.OAuth.GrantTypesSupported, grantTypeDeviceCode) {
		t.Fatalf("the server does not list the device grant: %+v", info.OAuth)
	}
	d, err := c.StartDeviceLogin(ctx, DeviceLoginOptions{ServerInfo: info, Client: testApp})
	if err != nil {
		t.Fatalf("start device login: %v", err)
	}
	if d.UserCode == "" || d.VerificationURI == "" || d.VerificationURIComplete == "" {
		t.Fatalf("device login %+v", d)
	}
	answered := answerAsync(t, d, approve)
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := c.WaitDeviceLogin(wctx, d)
	<-answered
	if err != nil {
		t.Fatalf("wait device login: %v", err)
	}
	if !strings.HasPrefix(s.UserID, "@alice:") || s.DeviceID != d.DeviceID || s.RefreshToken == "" {
		t.Fatalf("session %+v", s)
	}
	if cur, err := c.Session(ctx); err != nil || cur == nil || cur.ID() != s.ID() {
		t.Fatalf("not the current session: %v", err)
	}
	sessionChain(t, c, s)
}

func TestDeviceChainSandbox(t *testing.T) {
	t.Parallel()
	sb := deviceSandbox(t, sandbox.Config{})
	deviceChain(t, sb.URL(), func(t *testing.T, d *DeviceLogin) {
		time.Sleep(200 * time.Millisecond)
		if err := sb.DecideDevice(d.UserCode, "alice", true); err != nil {
			t.Errorf("approve: %v", err)
		}
	})
}

// The device chain against oidc-provider (deviceFlow enabled), the
// sandbox's homeserver part pointing at it as its issuer. oidc-provider
// sends no interval, so x/oauth2 polls every 5 s (RFC 8628 §3.2).
func TestDeviceChainOIDCProvider(t *testing.T) {
	p := startPeer(t)
	var sb *sandbox.Server
	sb = startSandbox(t, sandbox.Config{
		Issuer:     p.Issuer,
		TokenCheck: introspectionCheck(p, func() string { return sb.ServerName() }),
	})
	deviceChain(t, sb.URL(), func(t *testing.T, d *DeviceLogin) { peerDeviceAnswer(t, d, true) })

	// Denied at the peer: authorization_denied.
	c := loginClient(nil)
	d, err := c.StartDeviceLogin(context.Background(), DeviceLoginOptions{Server: sb.URL(), Client: testApp})
	if err != nil {
		t.Fatal(err)
	}
	answered := answerAsync(t, d, func(t *testing.T, d *DeviceLogin) { peerDeviceAnswer(t, d, false) })
	_, err = c.WaitDeviceLogin(context.Background(), d)
	<-answered
	wantCode(t, err, autherr.AuthorizationDenied)
}

// answerAsync plays the person in another goroutine, as they answer on
// another device while this one polls; the channel closes when they are done,
// so the test never ends before them.
func answerAsync(t *testing.T, d *DeviceLogin, answer func(t *testing.T, d *DeviceLogin)) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		answer(t, d)
	}()
	return done
}

var (
	formRE   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenRE = regexp.MustCompile(`<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"`)
)

// peerDeviceAnswer plays the person at oidc-provider's verification pages:
// it opens verification_uri_complete and submits the forms (the code, then
// confirm or abort) with cookies, as a browser would, until a page without
// a form (success) comes back, or it has aborted.
func peerDeviceAnswer(t *testing.T, d *DeviceLogin, allow bool) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := hc.Get(d.VerificationURIComplete)
	for step := 0; step < 5; step++ {
		if err != nil {
			t.Errorf("device page: %v", err)
			return
		}
		b := make([]byte, 64<<10)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		page := string(b[:n])
		m := formRE.FindStringSubmatch(page)
		if m == nil {
			if resp.StatusCode != http.StatusOK {
				t.Errorf("device page ended with %d: %.300s", resp.StatusCode, page)
			}
			return
		}
		action, err2 := resp.Request.URL.Parse(html.UnescapeString(m[1]))
		if err2 != nil {
			t.Errorf("form action %q: %v", m[1], err2)
			return
		}
		form := url.Values{}
		for _, in := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
			form.Set(in[1], html.UnescapeString(in[2]))
		}
		if form.Has("confirm") && !allow {
			// Abort ends the request; the page then offers a new code.
			form.Del("confirm")
			form.Set("abort", "yes")
			if resp, err = hc.PostForm(action.String(), form); err != nil {
				t.Errorf("abort: %v", err)
				return
			}
			resp.Body.Close()
			return
		}
		resp, err = hc.PostForm(action.String(), form)
	}
	t.Error("the device pages did not end within 5 forms")
}
