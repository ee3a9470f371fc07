package auth

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
)

// loginChain is the whole login life of one session against a server:
// discovery, registration, authorize (browser plays the person), callback,
// token, ID-token check, whoami, two refreshes with rotation, revocation,
// and a refresh of the revoked session that ends in session_expired.
func loginChain(t *testing.T, server string, browser func(t *testing.T, authURL string) string) {
	t.Helper()
	ctx := context.Background()
	c := loginClient(nil)

	info, err := c.Discover(ctx, server)
	if err != nil {
		t.Fatalf("discover: %v", err)
	}
	if info.OAuth == nil {
		t.Fatal("no OAuth metadata")
	}
	p, err := c.StartLogin(ctx, LoginOptions{ServerInfo: info, RedirectURI: testRedirect, Client: testApp})
	if err != nil {
		t.Fatalf("start login: %v", err)
	}
	authURL, _ := url.Parse(p.URL)
	nonce := authURL.Query().Get("nonce")
	if nonce == "" {
		t.Error("no nonce although openid is offered")
	}
	cb := browser(t, p.URL)
	if !strings.HasPrefix(cb, testRedirect) {
		t.Fatalf("the browser came back to %q", cb)
	}
	s, err := c.CompleteLogin(ctx, cb)
	if err != nil {
		t.Fatalf("complete login: %v", err)
	}
	if !strings.HasPrefix(s.UserID, "@alice:") || s.DeviceID != p.DeviceID || s.RefreshToken == "" {
		t.Fatalf("session %+v", s)
	}
	if s.IDTokenClaims["nonce"] != nonce || s.IDTokenClaims["aud"] == nil {
		t.Errorf("ID token claims %v", s.IDTokenClaims)
	}

	sessionChain(t, c, s)
}

// sessionChain is the rest of a session's life, however it began: two
// refreshes with rotation, each stored and accepted by whoami, a logout
// that forgets it, and a refresh of the revoked tokens that ends in
// session_expired.
func sessionChain(t *testing.T, c *Client, s *Session) {
	t.Helper()
	ctx := context.Background()
	ts := c.TokenSource(ctx, s)
	ts.MinValidity = 24 * time.Hour // refresh on every call
	prev := s
	for i := 1; i <= 2; i++ {
		tok, err := ts.Token()
		if err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		if tok.AccessToken == prev.AccessToken || tok.RefreshToken == prev.RefreshToken {
			t.Fatalf("refresh %d did not rotate both tokens", i)
		}
		stored, err := c.Session(ctx)
		if err != nil || stored.RefreshToken != tok.RefreshToken {
			t.Fatalf("refresh %d: rotation not stored (%v)", i, err)
		}
		if who, err := c.whoami(ctx, s.BaseURL, tok.AccessToken, s.Insecure); err != nil || who.UserID != s.UserID {
			t.Fatalf("whoami after refresh %d: %+v %v", i, who, err)
		}
		prev = stored
	}

	revoked := *prev
	if err := c.Logout(ctx, nil); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if cur, _ := c.Session(ctx); cur != nil {
		t.Fatal("session kept after logout")
	}
	// The revoked tokens, kept elsewhere, cannot be refreshed.
	if err := c.saveSession(ctx, &revoked); err != nil {
		t.Fatal(err)
	}
	ts = c.TokenSource(ctx, &revoked)
	ts.MinValidity = 24 * time.Hour
	_, err := ts.Token()
	e := wantCode(t, err, autherr.SessionExpired)
	if e.Errcode != "invalid_grant" {
		t.Errorf("errcode %q, want invalid_grant", e.Errcode)
	}
}

func TestLoginChainSandboxShared(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	loginChain(t, sb.URL(), func(t *testing.T, u string) string { return authorizeAt(t, u) })
}

// peerInfo is the line the peer script prints when it listens.
type peerInfo struct {
	Issuer             string `json:"issuer"`
	IntrospectionURL   string `json:"introspection_endpoint"`
	IntrospectionID    string `json:"introspection_client_id"`
	IntrospectionToken string `json:"introspection_client_secret"`
}

// startPeer runs web/test/peer/oidc-provider.mjs on 127.0.0.1. Without the
// installed dev tools (npm ci in web/test) the test is skipped, except in
// CI, where it fails.
func startPeer(t *testing.T) *peerInfo {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "web", "test"))
	if err != nil {
		t.Fatal(err)
	}
	missing := func(what string) {
		msg := what + ": run `npm ci` in web/test to run the oidc-provider peer test"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set, so this fails instead of skipping)")
		}
		t.Skip(msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider")); err != nil {
		missing("web/test/node_modules/oidc-provider is not installed")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	cmd := exec.Command(node, filepath.Join("peer", "oidc-provider.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT=0", "PEER_USER=alice")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &testLogWriter{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "{") {
				lines <- sc.Text()
				return
			}
		}
		close(lines)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatal("the peer exited without saying where it listens")
		}
		var p peerInfo
		if err := json.Unmarshal([]byte(line), &p); err != nil || p.Issuer == "" {
			t.Fatalf("peer said %q: %v", line, err)
		}
		return &p
	case <-time.After(20 * time.Second):
		t.Fatal("the peer did not start within 20 s")
	}
	return nil
}

type testLogWriter struct{ t *testing.T }

func (w *testLogWriter) Write(b []byte) (int, error) {
	w.t.Logf("peer: %s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// introspectionCheck is the homeserver's access-token check against the
// peer: RFC 7662 introspection with a confidential client, as Synapse asks
// MAS. The Matrix user is the subject on the homeserver; the device comes
// from the device scope.
func introspectionCheck(p *peerInfo, serverName func() string) func(string) (string, string, bool) {
	hc := &http.Client{Timeout: 5 * time.Second}
	return func(token string) (string, string, bool) {
		req, err := http.NewRequest(http.MethodPost, p.IntrospectionURL,
			strings.NewReader(url.Values{"token": {token}, "token_type_hint": {"access_token"}}.Encode()))
		if err != nil {
			return "", "", false
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(p.IntrospectionID, p.IntrospectionToken)
		resp, err := hc.Do(req)
		if err != nil {
			return "", "", false
		}
		defer resp.Body.Close()
		var r struct {
			Active    bool   `json:"active"`
			Sub       string `json:"sub"`
			Scope     string `json:"scope"`
			TokenType string `json:"token_type"`
		}
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&r) != nil || !r.Active || r.Sub == "" {
			return "", "", false
		}
		if r.TokenType != "" && !strings.EqualFold(r.TokenType, "bearer") {
			return "", "", false
		}
		device := ""
		for _, sc := range strings.Fields(r.Scope) {
			for _, prefix := range []string{string(signin.DeviceScope("")), string(signin.DeviceScopeUnstable(""))} {
				if strings.HasPrefix(sc, prefix) {
					device = strings.TrimPrefix(sc, prefix)
				}
			}
		}
		if device == "" {
			return "", "", false
		}
		return "@" + r.Sub + ":" + serverName(), device, true
	}
}

// peerBrowser follows the peer's redirects with cookies, as a browser would,
// until it is sent to the redirect URI.
func peerBrowser(t *testing.T, authURL string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	var back string
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), testRedirect) {
			back = req.URL.String()
			return http.ErrUseLastResponse
		}
		if len(via) > 20 {
			return errors.New("too many redirects")
		}
		return nil
	}}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	resp.Body.Close()
	if back == "" {
		t.Fatalf("the peer did not send the browser back (last status %d at %s)", resp.StatusCode, resp.Request.URL)
	}
	return back
}

// The chain against oidc-provider, with the sandbox's homeserver part
// pointing at it as its issuer.
func TestLoginChainOIDCProvider(t *testing.T) {
	p := startPeer(t)
	var sb *sandbox.Server
	sb = startSandbox(t, sandbox.Config{
		Issuer:     p.Issuer,
		TokenCheck: introspectionCheck(p, func() string { return sb.ServerName() }),
	})
	loginChain(t, sb.URL(), peerBrowser)

	// action register sends prompt=create, which the peer offers.
	c := loginClient(nil)
	opts := loginOpts(sb)
	opts.Action = ActionRegister
	pl, err := c.StartLogin(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(pl.URL); u.Query().Get("prompt") != "create" {
		t.Fatalf("no prompt=create in %s", pl.URL)
	}
	s, err := c.CompleteLogin(context.Background(), peerBrowser(t, pl.URL))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.UserID, "@alice:") {
		t.Errorf("user %q", s.UserID)
	}
}
