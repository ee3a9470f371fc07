package auth

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin/storetest"
)

// memTokens is an AccessTokens as the browser's store.Tokens, without
// tabs: the tokens in a map.
type memTokens struct {
	mu   sync.Mutex
	m    map[string][2]string // id → access, refresh fingerprint
	kept int
}

func (m *memTokens) Keep(id, access, refresh string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string][2]string{}
	}
	m.m[id] = [2]string{access, refresh}
	m.kept++
}

func (m *memTokens) Recall(_ context.Context, id, refresh string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.m[id]; ok && v[1] == refresh {
		return v[0], true
	}
	return "", false
}

func (m *memTokens) Forget(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, id)
}

// TestSealedSessions: a Client with a Sealer and AccessTokens (the
// browser's) keeps no token in the Store in plain text and no access token
// there at all; another Client on the same Store (a reload) reads the
// session without an access token and refreshes; a rotation makes the
// first Client's access token stale, so it is not handed out with the new
// refresh token.
func TestSealedSessions(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	ctx := context.Background()
	backing := NewMemoryStore()
	sealer := storetest.NewSealer(t, nil)
	tab := func() (*Client, *memTokens) {
		m := &memTokens{}
		c := loginClient(backing)
		c.Sealer, c.AccessTokens = sealer, m
		return c, m
	}
	one, oneTokens := tab()
	s := sandboxLogin(t, one, loginOpts(sb))
	if oneTokens.kept != 1 {
		t.Errorf("Keep called %d times at login, want 1", oneTokens.kept)
	}
	noTokenStored := func(when string, toks ...string) {
		t.Helper()
		keys, _ := backing.Keys(ctx, "")
		for _, k := range keys {
			v, _ := backing.Get(ctx, k)
			for _, tok := range toks {
				if strings.Contains(string(v), tok) {
					t.Errorf("%s: store key %s holds a token in plain text", when, k)
				}
			}
			if strings.HasPrefix(k, sessionPrefix) || strings.HasPrefix(k, "pending/") {
				if !strings.HasPrefix(string(v), "mxseal2:") {
					t.Errorf("%s: %s is not sealed", when, k)
				}
			}
		}
		plain, err := one.core.GetSecret(ctx, sessionKey(s.ID()))
		if err != nil || strings.Contains(string(plain), `"mat_`) || strings.Contains(string(plain), s.AccessToken) {
			t.Errorf("%s: the sealed session holds an access token: %s, %v", when, plain, err)
		}
	}
	noTokenStored("after login", s.AccessToken, s.RefreshToken)

	if got, _ := one.Session(ctx); got == nil || got.AccessToken != s.AccessToken || got.RefreshToken != s.RefreshToken {
		t.Fatalf("the tab that signed in reads %+v", got)
	}
	two, _ := tab()
	got, err := two.Session(ctx)
	if err != nil || got == nil || got.AccessToken != "" || got.RefreshToken != s.RefreshToken {
		t.Fatalf("another tab reads %+v, %v; want the refresh token and no access token", got, err)
	}
	tok, err := two.AccessToken(ctx, 0)
	if err != nil || tok == "" || tok == s.AccessToken {
		t.Fatalf("another tab's AccessToken = %q, %v; want a refreshed one", tok, err)
	}
	rotated, _ := two.Session(ctx)
	noTokenStored("after a refresh", s.AccessToken, s.RefreshToken, tok, rotated.RefreshToken)
	if got, _ := one.Session(ctx); got.AccessToken != "" || got.RefreshToken != rotated.RefreshToken {
		t.Errorf("after another tab's rotation the first reads %q/%q, want no access token and the new refresh token", got.AccessToken, got.RefreshToken)
	}
	if err := two.Logout(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if keys, _ := backing.Keys(ctx, sessionPrefix); len(keys) != 0 {
		t.Errorf("after logout the Store has %v", keys)
	}
}

// TestSessionFromPreviousRelease: what the release before the opaque
// Store (798ceb9, whose browser store sealed values itself) left in
// IndexedDB still reads: the session, its current mark, a pending login,
// and a legacy (mxseal1) session, which is sealed again in place. The
// golden values were sealed by that release's code with the AES-GCM key
// 01…20 (and a zero nonce, which Open reads from the value).
func TestSessionFromPreviousRelease(t *testing.T) {
	raw, err := os.ReadFile("testdata/sealed-by-798ceb9.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string]string
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	ctx := context.Background()
	load := func(legacy bool) (*Client, Store) {
		backing := NewMemoryStore()
		for k, v := range golden {
			b, err := hex.DecodeString(v)
			if err != nil {
				t.Fatal(err)
			}
			if name, ok := strings.CutPrefix(k, "legacy:"); ok == legacy {
				backing.Put(ctx, name, b)
			}
		}
		c := loginClient(backing)
		c.Sealer, c.AccessTokens = storetest.NewSealer(t, key), &memTokens{}
		return c, backing
	}

	c, _ := load(false)
	s, err := c.Session(ctx)
	if err != nil || s == nil {
		t.Fatalf("Session = %+v, %v", s, err)
	}
	if s.UserID != "@alice:example.org" || s.RefreshToken != "mar_OLDREFRESH" || s.AccessToken != "" || s.ExpiresAt.UnixMilli() != 4102444800000 || s.Lifetime != 5*time.Minute || s.TokenEndpoint == "" {
		t.Errorf("Session = %+v", s)
	}
	p, err := c.core.GetSecret(ctx, "pending/STATE1")
	if err != nil || !strings.Contains(string(p), `"verifier":"VERIFIER1"`) {
		t.Errorf("pending login = %s, %v", p, err)
	}

	c, backing := load(true)
	backing.Put(ctx, currentSessionKey, []byte(s.ID()))
	s, err = c.Session(ctx)
	if err != nil || s == nil || s.RefreshToken != "mar_OLDREFRESH" {
		t.Fatalf("legacy Session = %+v, %v", s, err)
	}
	if v, _ := backing.Get(ctx, sessionKey(s.ID())); !strings.HasPrefix(string(v), "mxseal2:") {
		t.Errorf("the legacy value was not sealed again: %.8q", v)
	}
}

// TestSessionJSON: the Store record and the page's view keep expiresAt
// and lifetimeMs in milliseconds (CONTRACT.md), while Go sees a time and
// a duration; a session read back equals the one written.
func TestSessionJSON(t *testing.T) {
	s := Session{UserID: "@a:b", AccessToken: "mat_x", ExpiresAt: time.UnixMilli(1767225600123), Lifetime: 300 * time.Second}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["expiresAt"] != float64(1767225600123) || m["lifetimeMs"] != float64(300000) || m["userId"] != "@a:b" || m["accessToken"] != "mat_x" {
		t.Errorf("JSON = %s", b)
	}
	var back Session
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.ExpiresAt.Equal(s.ExpiresAt) || back.ExpiresAt != s.ExpiresAt || back.Lifetime != s.Lifetime || back.UserID != s.UserID {
		t.Errorf("read back %+v, want %+v", back, s)
	}
	var none Session
	if err := json.Unmarshal([]byte(`{"userId":"@a:b"}`), &none); err != nil || !none.ExpiresAt.IsZero() || none.Lifetime != 0 {
		t.Errorf("without times: %+v, %v", none, err)
	}
	if b, _ := json.Marshal(none); strings.Contains(string(b), "expiresAt") || strings.Contains(string(b), "lifetimeMs") {
		t.Errorf("zero times are written: %s", b)
	}
	if v := s.View(); v.ExpiresAt != 1767225600123 || v.LifetimeMs != 300000 {
		t.Errorf("View = %+v", v)
	}
}
