package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
)

// deviceSandbox is a sandbox whose device codes ask for polls every second,
// so the tests wait seconds, not MAS's five.
func deviceSandbox(t *testing.T, cfg sandbox.Config) *sandbox.Server {
	t.Helper()
	if cfg.DeviceCodeInterval == 0 {
		cfg.DeviceCodeInterval = time.Second
	}
	return startSandbox(t, cfg)
}

func deviceOpts(sb *sandbox.Server) DeviceLoginOptions {
	return DeviceLoginOptions{Server: sb.URL(), Client: testApp}
}

// approveSoon answers the code from another goroutine after d, as a person
// on their phone would while the device polls.
func approveSoon(t *testing.T, sb *sandbox.Server, code, user string, allow bool, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		time.Sleep(d)
		done <- sb.DecideDevice(code, user, allow)
	}()
	t.Cleanup(func() {
		if err := <-done; err != nil {
			t.Errorf("approve %s: %v", code, err)
		}
	})
}

// The whole life of a device session against the sandbox: the code, the
// approval, the session (whoami checked, stored as current), a refresh by
// the TokenSource, and a logout that revokes it.
func TestDeviceLoginSandbox(t *testing.T) {
	t.Parallel()
	sb := deviceSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	ctx := context.Background()

	d, err := c.StartDeviceLogin(ctx, deviceOpts(sb))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if len(d.UserCode) != 6 || d.VerificationURI != sb.URL()+"/link" || d.VerificationURIComplete != d.VerificationURI+"?code="+d.UserCode {
		t.Errorf("device login %+v", d)
	}
	if d.Interval != time.Second || time.Until(d.ExpiresAt) < 19*time.Minute || !signin.ValidDeviceID(d.DeviceID) {
		t.Errorf("interval %v, expires in %v, device %q", d.Interval, time.Until(d.ExpiresAt), d.DeviceID)
	}
	approveSoon(t, sb, d.UserCode, "alice", true, 1500*time.Millisecond)
	s, err := c.WaitDeviceLogin(ctx, d)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if s.UserID != sb.UserID("alice") || s.DeviceID != d.DeviceID || s.ClientID != d.ClientID || s.RefreshToken == "" {
		t.Fatalf("session %+v", s)
	}
	if s.IDTokenClaims["aud"] != d.ClientID {
		t.Errorf("ID token claims %v", s.IDTokenClaims)
	}
	if !strings.Contains(strings.Join(s.Scope, " "), string(signin.DeviceScope(d.DeviceID))) {
		t.Errorf("scope %v lacks the device scope", s.Scope)
	}
	if cur, err := c.Session(ctx); err != nil || cur == nil || cur.AccessToken != s.AccessToken {
		t.Fatalf("not stored as the current session: %+v %v", cur, err)
	}
	var sawDevice bool
	for _, ss := range sb.Sessions("alice") {
		sawDevice = sawDevice || ss.DeviceID == d.DeviceID && ss.Active
	}
	if !sawDevice {
		t.Errorf("the sandbox has no active session of device %s", d.DeviceID)
	}

	ts := c.TokenSource(ctx, s)
	ts.MinValidity = 24 * time.Hour // refresh now
	tok, err := ts.Token()
	if err != nil || tok.AccessToken == s.AccessToken || tok.RefreshToken == s.RefreshToken {
		t.Fatalf("refresh: %v (rotated: %v)", err, tok != nil && tok.AccessToken != s.AccessToken)
	}

	// A second device login reuses the cached registration.
	if _, err := c.StartDeviceLogin(ctx, deviceOpts(sb)); err != nil {
		t.Fatal(err)
	}
	if n := countRequests(sb, "POST", "/oauth2/registration"); n != 1 {
		t.Errorf("%d registrations, want 1 (cached per issuer)", n)
	}

	if err := c.Logout(ctx, nil); err != nil {
		t.Fatalf("logout: %v", err)
	}
	for _, ss := range sb.Sessions("alice") {
		if ss.DeviceID == d.DeviceID && ss.Active {
			t.Error("the device session is still active after logout")
		}
	}
}

func TestDeviceLoginDenied(t *testing.T) {
	t.Parallel()
	sb := deviceSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	d, err := c.StartDeviceLogin(context.Background(), deviceOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	approveSoon(t, sb, d.UserCode, "", false, 200*time.Millisecond)
	_, err = c.WaitDeviceLogin(context.Background(), d)
	e := wantCode(t, err, autherr.AuthorizationDenied)
	if e.Errcode != "access_denied" {
		t.Errorf("errcode %q want access_denied", e.Errcode)
	}
	if cur, _ := c.Session(context.Background()); cur != nil {
		t.Error("a session was stored")
	}
}

func TestDeviceLoginExpired(t *testing.T) {
	t.Parallel()
	sb := deviceSandbox(t, sandbox.Config{DeviceCodeTTL: 2 * time.Second})
	c := loginClient(nil)
	d, err := c.StartDeviceLogin(context.Background(), deviceOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.WaitDeviceLogin(context.Background(), d)
	wantCode(t, err, autherr.DeviceCodeExpired)
	if time.Since(start) > 4*time.Second {
		t.Errorf("expiry noticed after %v, the code lived 2 s", time.Since(start))
	}
	// Waiting again on the dead code ends at once.
	_, err = c.WaitDeviceLogin(context.Background(), d)
	wantCode(t, err, autherr.DeviceCodeExpired)
}

// A client that polls faster than asked is told slow_down (RFC 8628 §3.5)
// and waits 5 s longer from then on; the login still succeeds.
func TestDeviceLoginSlowDown(t *testing.T) {
	t.Parallel()
	sb := deviceSandbox(t, sandbox.Config{DeviceCodeInterval: 2 * time.Second})
	c := loginClient(nil)
	d, err := c.StartDeviceLogin(context.Background(), deviceOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	if d.Interval != 2*time.Second {
		t.Fatalf("interval %v want 2s", d.Interval)
	}
	d.Interval = time.Second // poll twice as often as the server asked
	approveSoon(t, sb, d.UserCode, "bob", true, 2500*time.Millisecond)
	s, err := c.WaitDeviceLogin(context.Background(), d)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if s.UserID != sb.UserID("bob") {
		t.Errorf("user %q", s.UserID)
	}
	var polls []time.Time
	for _, r := range sb.Log() {
		if r.Path == "/oauth2/token" {
			polls = append(polls, r.Time)
		}
	}
	// Poll 1 (at 1 s) and poll 2 (at 2 s) come too soon: pending, then
	// slow_down. The next waits 1+5 s and finds the approval.
	if len(polls) != 3 {
		t.Fatalf("%d polls, want 3 (first, slow_down, success)", len(polls))
	}
	if gap := polls[2].Sub(polls[1]); gap < 5500*time.Millisecond {
		t.Errorf("after slow_down the client waited %v, want 6 s", gap)
	}
}

func TestDeviceLoginCancel(t *testing.T) {
	t.Parallel()
	sb := deviceSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	d, err := c.StartDeviceLogin(context.Background(), deviceOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.WaitDeviceLogin(ctx, d)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("got %v after %v, want context.Canceled at once", err, time.Since(start))
	}
	var e *Error
	if !errors.As(err, &e) || e.Code == "" {
		t.Errorf("error without a code: %v", err)
	}
	// The code is still good: a new wait goes on and succeeds.
	approveSoon(t, sb, d.UserCode, "alice", true, 100*time.Millisecond)
	if _, err := c.WaitDeviceLogin(context.Background(), d); err != nil {
		t.Fatalf("wait after cancel: %v", err)
	}
}

func TestDeviceLoginRefusedLocally(t *testing.T) {
	t.Parallel()
	sb := deviceSandbox(t, sandbox.Config{Off: map[string]bool{sandbox.OffDeviceCode: true}})
	c := loginClient(nil)
	ctx := context.Background()

	_, err := c.StartDeviceLogin(ctx, deviceOpts(sb))
	if e := wantCode(t, err, autherr.OAuthUnsupported); e.Details["reason"] != reasonDeviceGrantNotOffered {
		t.Errorf("details %v", e.Details)
	}

	on := deviceSandbox(t, sandbox.Config{})
	opts := deviceOpts(on)
	opts.Action = ActionRegister
	_, err = c.StartDeviceLogin(ctx, opts)
	if e := wantCode(t, err, autherr.InvalidInput); e.Details["reason"] != reasonDeviceGrantNoRegister || !strings.Contains(e.Error(), "prompt=create") {
		t.Errorf("register refusal %v %v", e, e.Details)
	}

	opts = deviceOpts(on)
	opts.Client.URI = "http://app.example.org/"
	_, err = c.StartDeviceLogin(ctx, opts)
	if e := wantCode(t, err, autherr.RegistrationFailed); e.Details["rule"] != string(signin.RuleHTTPS) || e.Details["field"] != "client_uri" {
		t.Errorf("details %v", e.Details)
	}
	if n := countRequests(on, "POST", "/oauth2/registration") + countRequests(on, "POST", "/oauth2/device"); n != 0 {
		t.Errorf("%d requests for locally refused logins", n)
	}
}
