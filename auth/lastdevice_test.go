package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
)

var sandboxTxRE = regexp.MustCompile(`name="tx" value="([A-Za-z0-9]+)"`)

// authorizeAs plays the browser on the sandbox's sign-in page (a sandbox
// without AutoApprove): it picks user, allows, and returns where the
// server sends the browser back.
func authorizeAs(t *testing.T, sb *sandbox.Server, authURL, user string) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body := func(resp *http.Response) string {
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				return b.String()
			}
		}
	}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page := body(resp)
	m := sandboxTxRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no sign-in page (%d): %.300s", resp.StatusCode, page)
	}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		resp, err := hc.PostForm(sb.URL()+path, form)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	body(post("/authorize/continue", url.Values{"tx": {m[1]}, "action": {"login"}, "user": {user}}))
	resp = post("/authorize/consent", url.Values{"tx": {m[1]}, "decision": {"allow"}})
	body(resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc == "" {
		t.Fatalf("consent answered %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

// TestSameDeviceOnRelogin: after a session ends (logout, or a refresh
// answered invalid_grant) the next login on the same Store to the same
// server asks for the same device, unless the page opts out, names
// another user, or names a device itself (issue 16).
func TestSameDeviceOnRelogin(t *testing.T) {
	type step struct {
		user      string // who signs in on the server's page
		deviceID  string // LoginOptions.DeviceID
		loginHint string
		end       string // how the session ends: "logout", "expire", "" (stays)
		// sameAs names the step (by index) whose device this login must
		// get; -1 means a device no earlier step had.
		sameAs int
	}
	const explicit = "EXPLICITDEV1"
	tests := []struct {
		name  string
		steps []step
	}{
		{"logout then login", []step{
			{user: "alice", end: "logout", sameAs: -1},
			{user: "alice", end: "logout", sameAs: 0},
			{user: "alice", sameAs: 0},
		}},
		{"invalid_grant then login", []step{
			{user: "alice", end: "expire", sameAs: -1},
			{user: "alice", sameAs: 0},
		}},
		{"deviceId new", []step{
			{user: "alice", end: "logout", sameAs: -1},
			{user: "alice", deviceID: "new", end: "logout", sameAs: -1},
			// The opt-out's own session ended last: it is the one remembered.
			{user: "alice", sameAs: 1},
		}},
		{"login_hint of another user", []step{
			{user: "alice", end: "logout", sameAs: -1},
			{user: "bob", loginHint: "@bob:SERVER", end: "logout", sameAs: -1},
			{user: "bob", loginHint: "mxid:@bob:SERVER", sameAs: 1},
		}},
		{"login_hint of the same user", []step{
			{user: "alice", end: "logout", sameAs: -1},
			{user: "alice", loginHint: "mxid:@alice:SERVER", sameAs: 0},
		}},
		{"login_hint that is no user id", []step{
			{user: "alice", end: "logout", sameAs: -1},
			{user: "alice", loginHint: "alice@example.org", end: "", sameAs: -1},
		}},
		{"another user than remembered", []step{
			// bob signs in without a hint: he is asked for alice's device
			// id, which MAS provisions for him; the record is then his.
			{user: "alice", end: "logout", sameAs: -1},
			{user: "bob", end: "logout", sameAs: 0},
			{user: "alice", loginHint: "@alice:SERVER", sameAs: -1},
			{user: "bob", loginHint: "@bob:SERVER", sameAs: 1},
		}},
		{"another user than remembered, still signed in", []step{
			// The record was used up by bob's login: his live device is
			// not asked for again.
			{user: "alice", end: "logout", sameAs: -1},
			{user: "bob", sameAs: 0},
			{user: "bob", sameAs: -1},
		}},
		{"explicit device id wins", []step{
			{user: "alice", end: "logout", sameAs: -1},
			{user: "alice", deviceID: explicit, end: "logout", sameAs: -1},
			{user: "alice", sameAs: 1},
		}},
		{"live session not disturbed", []step{
			// Signed in again on the remembered device, then a second
			// login while that one lives: a new device.
			{user: "alice", end: "logout", sameAs: -1},
			{user: "alice", sameAs: 0},
			{user: "alice", sameAs: -1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb, err := sandbox.New(sandbox.Config{Logf: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sb.Close() })
			ctx := context.Background()
			c := loginClient(nil)
			var got []string
			for i, st := range tt.steps {
				opts := loginOpts(sb)
				opts.DeviceID = st.deviceID
				opts.LoginHint = strings.ReplaceAll(st.loginHint, "SERVER", sb.ServerName())
				p, err := c.StartLogin(ctx, opts)
				if err != nil {
					t.Fatalf("step %d: StartLogin: %v", i, err)
				}
				s, err := c.CompleteLogin(ctx, authorizeAs(t, sb, p.URL, st.user))
				if err != nil {
					t.Fatalf("step %d: CompleteLogin: %v", i, err)
				}
				if s.UserID != sb.UserID(st.user) || s.DeviceID != p.DeviceID {
					t.Fatalf("step %d: session %s/%s, want %s/%s", i, s.UserID, s.DeviceID, sb.UserID(st.user), p.DeviceID)
				}
				// The server's view: the session is bound to the device asked for.
				if !serverHasDevice(sb, st.user, s.DeviceID) {
					t.Errorf("step %d: the server has no active session of %s on %s", i, st.user, s.DeviceID)
				}
				if !strings.Contains(strings.Join(s.Scope, " "), string(signin.DeviceScope(s.DeviceID))) {
					t.Errorf("step %d: scope %v lacks the device scope of %s", i, s.Scope, s.DeviceID)
				}
				switch {
				case st.deviceID == explicit && s.DeviceID != explicit:
					t.Errorf("step %d: device %s, want the explicit %s", i, s.DeviceID, explicit)
				case st.sameAs >= 0 && s.DeviceID != got[st.sameAs]:
					t.Errorf("step %d: device %s, want step %d's %s", i, s.DeviceID, st.sameAs, got[st.sameAs])
				case st.sameAs < 0:
					for j, d := range got {
						if d == s.DeviceID {
							t.Errorf("step %d: device %s is step %d's, want a new one", i, d, j)
						}
					}
				}
				got = append(got, s.DeviceID)
				switch st.end {
				case "logout":
					if err := c.Logout(ctx, s); err != nil {
						t.Fatalf("step %d: Logout: %v", i, err)
					}
				case "expire":
					// The account page ended the session: the next refresh
					// answers invalid_grant.
					sb.EndSessions(st.user)
					ts := c.TokenSource(ctx, s)
					ts.MinValidity = time.Hour
					wantCode(t, func() error { _, err := ts.Token(); return err }(), autherr.SessionExpired)
				}
			}
		})
	}
}

// rememberedIn checks that a Store snapshot holds the remembered device of
// the ended session s (and nothing of its tokens), and returns the
// snapshot without it, for sameStore.
func rememberedIn(t *testing.T, snap map[string]string, s *Session) map[string]string {
	t.Helper()
	out := map[string]string{}
	found := false
	for k, v := range snap {
		if !strings.HasPrefix(k, signin.LastDevicePrefix) {
			out[k] = v
			continue
		}
		var rec signin.LastDevice
		if err := json.Unmarshal([]byte(v), &rec); err != nil || rec.Issuer != s.Issuer || rec.UserID != s.UserID || rec.DeviceID != s.DeviceID {
			t.Errorf("remembered device %s, want %s/%s at %s", v, s.UserID, s.DeviceID, s.Issuer)
		}
		if strings.Contains(v, s.AccessToken) || (s.RefreshToken != "" && strings.Contains(v, s.RefreshToken)) {
			t.Error("the remembered device holds a token")
		}
		found = true
	}
	if !found {
		t.Error("the ended session's device is not remembered")
	}
	return out
}

func serverHasDevice(sb *sandbox.Server, user, deviceID string) bool {
	for _, s := range sb.Sessions(user) {
		if s.Active && s.DeviceID == deviceID {
			return true
		}
	}
	return false
}

// TestRememberedDeviceRecord: one small record per issuer, no secret,
// forgotten after LastDeviceTTL and once a login used it.
func TestRememberedDeviceRecord(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	now := time.Now()
	store := NewMemoryStore()
	c := loginClient(store)
	c.Now = func() time.Time { return now }
	ctx := context.Background()
	s := sandboxLogin(t, c, loginOpts(sb))
	if err := c.Logout(ctx, s); err != nil {
		t.Fatal(err)
	}
	keys, _ := store.Keys(ctx, signin.LastDevicePrefix)
	if len(keys) != 1 {
		t.Fatalf("records %v, want one", keys)
	}
	raw, _ := store.Get(ctx, keys[0])
	for _, secret := range []string{s.AccessToken, s.RefreshToken} {
		if strings.Contains(string(raw), secret) {
			t.Fatal("the record holds a token")
		}
	}
	if !strings.Contains(string(raw), s.DeviceID) || !strings.Contains(string(raw), s.UserID) {
		t.Errorf("record %s lacks the user or device", raw)
	}

	// A second session ended at the same issuer replaces the record.
	s2 := sandboxLogin(t, c, LoginOptions{Server: sb.URL(), RedirectURI: testRedirect, Client: testApp, DeviceID: "new"})
	if err := c.Logout(ctx, s2); err != nil {
		t.Fatal(err)
	}
	if keys, _ = store.Keys(ctx, signin.LastDevicePrefix); len(keys) != 1 {
		t.Fatalf("records %v, want one", keys)
	}

	// Past the TTL the record is not used, and is deleted.
	now = now.Add(signin.LastDeviceTTL + time.Minute)
	p, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	if p.DeviceID == s2.DeviceID {
		t.Error("a record past its TTL was used")
	}
	if keys, _ = store.Keys(ctx, signin.LastDevicePrefix); len(keys) != 0 {
		t.Errorf("records %v left past the TTL", keys)
	}

	// A login that completes on the remembered device forgets it. (The
	// clock goes back: the ID token's expiry is checked against it.)
	now = time.Now()
	s3 := sandboxLogin(t, c, loginOpts(sb))
	if err := c.Logout(ctx, s3); err != nil {
		t.Fatal(err)
	}
	s4 := sandboxLogin(t, c, loginOpts(sb))
	if s4.DeviceID != s3.DeviceID {
		t.Fatalf("device %s, want %s", s4.DeviceID, s3.DeviceID)
	}
	if keys, _ = store.Keys(ctx, signin.LastDevicePrefix); len(keys) != 0 {
		t.Errorf("records %v left after the device was used", keys)
	}
}

// TestRememberedDeviceOfLiveSession: a record that names a device whose
// session is still stored (two logins raced on one record) is not used: a
// second MAS session on a live device would end with it.
func TestRememberedDeviceOfLiveSession(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	ctx := context.Background()
	s := sandboxLogin(t, c, loginOpts(sb))
	if err := c.core.RememberDevice(ctx, s.Issuer, s.UserID, s.DeviceID); err != nil {
		t.Fatal(err)
	}
	p, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	if p.DeviceID == s.DeviceID {
		t.Errorf("the live session's device %s was asked for", s.DeviceID)
	}
	// Once that session is gone, the same record is used.
	if err := c.deleteSession(ctx, s.ID()); err != nil {
		t.Fatal(err)
	}
	if p, err = c.StartLogin(ctx, loginOpts(sb)); err != nil {
		t.Fatal(err)
	}
	if p.DeviceID != s.DeviceID {
		t.Errorf("device %s, want the remembered %s", p.DeviceID, s.DeviceID)
	}
}

// TestLoginDeviceIDInvalid: an explicit device id is still checked; "new"
// is the one short value allowed.
func TestLoginDeviceIDInvalid(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	for _, id := range []string{"short", "New", "has space 123", strings.Repeat("x", 256)} {
		opts := loginOpts(sb)
		opts.DeviceID = id
		_, err := c.StartLogin(context.Background(), opts)
		wantCode(t, err, autherr.InvalidInput)
	}
}
