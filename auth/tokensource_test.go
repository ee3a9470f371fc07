package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// refreshing returns a logged-in client and a token source that refreshes
// on every call (MinValidity beyond the token lifetime).
func refreshing(t *testing.T, sb *sandbox.Server, store Store) (*Client, *Session, *TokenSource) {
	t.Helper()
	c := loginClient(store)
	s := sandboxLogin(t, c, loginOpts(sb))
	ts := c.TokenSource(context.Background(), s)
	ts.MinValidity = time.Hour
	return c, s, ts
}

func TestRefreshNotNeeded(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{AccessTokenTTL: time.Hour})
	c := loginClient(nil)
	s := sandboxLogin(t, c, loginOpts(sb))
	tok, err := c.TokenSource(context.Background(), s).Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != s.AccessToken || tok.Type() != "Bearer" {
		t.Errorf("token %+v", tok)
	}
	at, err := c.AccessToken(context.Background(), 0)
	if err != nil || at != s.AccessToken {
		t.Errorf("AccessToken %q %v", at, err)
	}
	if n := countRequests(sb, "POST", "/oauth2/token"); n != 1 {
		t.Errorf("%d token requests, want only the code exchange", n)
	}
}

func TestRefreshServerErrorKeepsSession(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c, s, ts := refreshing(t, sb, nil)
	var slept []time.Duration
	c.Retry.Sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	sb.SetFault(sandbox.Fault{Path: "/oauth2/token", Status: 503})
	_, err := ts.Token()
	wantCode(t, err, autherr.ServerError)
	if n := countRequests(sb, "POST", "/oauth2/token"); n != 1+refreshAttempts {
		t.Errorf("%d token requests, want %d tries", n-1, refreshAttempts)
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
	if len(slept) != len(want) {
		t.Fatalf("slept %v, want %v", slept, want)
	}
	for i := range want {
		if slept[i] != want[i] {
			t.Errorf("wait %d = %v, want %v", i, slept[i], want[i])
		}
	}
	if got, _ := c.Session(context.Background()); got == nil || got.RefreshToken != s.RefreshToken {
		t.Fatal("the session was not kept after server errors")
	}
	// Once the server is back, the same session refreshes.
	sb.ClearFaults()
	if _, err := ts.Token(); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshBackoffCapped(t *testing.T) {
	wait := refreshFirstWait
	for i := 0; i < 10; i++ {
		wait *= 2
		if wait > refreshMaxBackoff {
			wait = refreshMaxBackoff
		}
	}
	if wait != refreshMaxBackoff {
		t.Errorf("wait %v", wait)
	}
}

// A refresh whose answer is lost is sent once more with the same refresh
// token; the sandbox (like MAS) accepts it because the lost tokens were
// never used.
func TestRefreshLostAnswerRetriedOnce(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c, s, ts := refreshing(t, sb, nil)
	sb.SetFault(sandbox.Fault{Path: "/oauth2/token", Method: "POST", Drop: true, Count: 1})
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == s.RefreshToken {
		t.Error("not rotated")
	}
	if n := countRequests(sb, "POST", "/oauth2/token"); n != 3 {
		t.Errorf("%d token requests, want exchange + lost + retry", n)
	}
	if _, err := c.whoami(context.Background(), s.BaseURL, tok.AccessToken, true); err != nil {
		t.Errorf("the retried token does not work: %v", err)
	}
	// Two lost answers in a row: reported as network, session kept.
	sb.SetFault(sandbox.Fault{Path: "/oauth2/token", Method: "POST", Drop: true, Count: 2})
	_, err = ts.Token()
	wantCode(t, err, autherr.Network)
	if got, _ := c.Session(context.Background()); got == nil || got.RefreshToken != tok.RefreshToken {
		t.Error("the session was not kept")
	}
}

func TestRefreshNetworkAndTimeout(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c, s, _ := refreshing(t, sb, nil)
	ctx := context.Background()

	// Nothing listens there: every try fails before sending.
	dead := *s
	dead.TokenEndpoint = "http://127.0.0.1:1/oauth2/token"
	_ = c.saveSession(ctx, &dead)
	ts := c.TokenSource(ctx, &dead)
	ts.MinValidity = time.Hour
	_, err := ts.Token()
	wantCode(t, err, autherr.Network)
	if got, _ := c.Session(ctx); got == nil {
		t.Error("session dropped on a network error")
	}
	_ = c.saveSession(ctx, s)

	c.Timeout = 100 * time.Millisecond
	sb.SetFault(sandbox.Fault{Path: "/oauth2/token", Latency: time.Second})
	ts = c.TokenSource(ctx, s)
	ts.MinValidity = time.Hour
	_, err = ts.Token()
	wantCode(t, err, autherr.Timeout)
	if got, _ := c.Session(ctx); got == nil {
		t.Error("session dropped on a timeout")
	}
}

func TestRefreshRateLimited(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	c, _, ts := refreshing(t, sb, nil)
	sb.SetFault(sandbox.Fault{Path: "/oauth2/token", Status: 429, RetryAfterMs: 60000})
	_, err := ts.Token()
	e := wantCode(t, err, autherr.RateLimited)
	if e.RetryAfter != time.Minute {
		t.Errorf("retry after %v", e.RetryAfter)
	}
	if got, _ := c.Session(context.Background()); got == nil {
		t.Error("session dropped")
	}
}

func TestRefreshNoSession(t *testing.T) {
	_, err := loginClient(nil).AccessToken(context.Background(), 0)
	wantCode(t, err, autherr.SessionExpired)
}

// Rotated tokens are stored before they are handed out: when the Store
// cannot keep them, no token is returned.
func TestRefreshSavedBeforeHandedOut(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	store := &failingStore{Store: NewMemoryStore()}
	_, _, ts := refreshing(t, sb, store)
	store.failPut = sessionPrefix
	tok, err := ts.Token()
	wantCode(t, err, autherr.Storage)
	if tok != nil {
		t.Error("a token was handed out that was not stored")
	}
}

// Many holders, one refresh: under the lock, each re-reads the stored
// session and uses tokens another holder already rotated.
func TestRefreshLockOneRequest(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{AccessTokenTTL: time.Minute})
	store := NewMemoryStore()
	locker := &MutexLocker{}
	first := loginClient(store)
	first.Locker = locker
	s := sandboxLogin(t, first, loginOpts(sb))

	const n = 8
	var wg sync.WaitGroup
	toks := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Separate Clients (tabs) sharing the Store and the Locker.
			c := loginClient(store)
			c.Locker = locker
			ts := c.TokenSource(context.Background(), s)
			ts.MinValidity = 2 * time.Minute
			tok, err := ts.Token()
			errs[i] = err
			if tok != nil {
				toks[i] = tok.AccessToken
			}
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if toks[i] != toks[0] || toks[i] == s.AccessToken {
			t.Errorf("holder %d got %q, holder 0 %q", i, toks[i], toks[0])
		}
	}
	if got := countRequests(sb, "POST", "/oauth2/token"); got != 2 {
		t.Errorf("%d token requests, want the exchange and one refresh", got)
	}
}

func TestMutexLockerContext(t *testing.T) {
	var l MutexLocker
	unlock, err := l.Lock(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(ctx, "k"); err == nil {
		t.Fatal("second Lock did not wait")
	}
	if u2, err := l.Lock(context.Background(), "other"); err != nil {
		t.Fatal(err)
	} else {
		u2()
	}
	unlock()
	unlock() // idempotent
	u3, err := l.Lock(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	u3()
}

// A server that grants tokens shorter than the default minimum validity
// (30 s) must not make every call refresh: the default then aims for half
// the token's lifetime. A validity the caller chose is kept.
func TestDefaultValidityAdaptsToShortTokens(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	sb := startSandbox(t, sandbox.Config{AccessTokenTTL: 20 * time.Second, Now: clock.Now})
	c := loginClient(nil)
	c.Now = clock.Now
	s := sandboxLogin(t, c, loginOpts(sb))
	if s.Lifetime != 20*time.Second {
		t.Fatalf("lifetime: got %v want 20s", s.Lifetime)
	}
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		at, err := c.AccessToken(ctx, 0)
		if err != nil || at != s.AccessToken {
			t.Fatalf("call %d: got %q, %v; want the login's token without a refresh", i, at, err)
		}
	}
	if n := countRequests(sb, "POST", "/oauth2/token"); n != 1 {
		t.Fatalf("%d token requests, want only the code exchange", n)
	}
	clock.Add(11 * time.Second) // 9 s left: under half the lifetime
	at, err := c.AccessToken(ctx, 0)
	if err != nil || at == s.AccessToken {
		t.Fatalf("past half the lifetime: got %q, %v; want a refreshed token", at, err)
	}
	// Asked for explicitly, 30 s is honoured: a refresh on every call.
	before := countRequests(sb, "POST", "/oauth2/token")
	if _, err := c.AccessToken(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := countRequests(sb, "POST", "/oauth2/token"); n != before+1 {
		t.Errorf("explicit 30 s: %d token requests, want %d", n, before+1)
	}
}

// A long-lived TokenSource never hands out a token another holder's
// refresh has revoked: it follows the Store.
func TestTokenSourceFollowsOtherHolders(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{AccessTokenTTL: time.Hour})
	store := NewMemoryStore()
	a := loginClient(store)
	s := sandboxLogin(t, a, loginOpts(sb))
	ctx := context.Background()
	tsB := loginClient(store).TokenSource(ctx, s)
	if tok, err := tsB.Token(); err != nil || tok.AccessToken != s.AccessToken {
		t.Fatalf("B: %v %v", tok, err)
	}
	// A forces a refresh; the sandbox revokes the old access token.
	rotated, err := a.AccessToken(ctx, 2*time.Hour)
	if err != nil || rotated == s.AccessToken {
		t.Fatalf("A's refresh: %q %v", rotated, err)
	}
	tok, err := tsB.Token()
	if err != nil || tok.AccessToken != rotated {
		t.Fatalf("B handed out %q (%v), want A's rotated token", tok.AccessToken, err)
	}
	if n := countRequests(sb, "POST", "/oauth2/token"); n != 2 {
		t.Errorf("%d token requests, want the exchange and A's one refresh", n)
	}
	// Signed out elsewhere: B says so instead of handing out a dead token.
	if err := a.Logout(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := tsB.Token(); codeOf(err) != autherr.SessionExpired {
		t.Errorf("after logout elsewhere: got %v, want session_expired", err)
	}
}
