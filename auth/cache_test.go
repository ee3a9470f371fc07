package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth/signin"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestDiscoveryCache(t *testing.T) {
	const issuer = "https://account.example.org/"
	hs := homeserver(metadataFor(issuer, nil))
	// Synapse's header on auth_metadata: fresh 600 s, stale for 600 s more.
	meta := hs["/_matrix/client/v1/auth_metadata"]
	hs["/_matrix/client/v1/auth_metadata"] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=600, s-maxage=3600, stale-while-revalidate=600")
		meta.ServeHTTP(w, r)
	})
	net := &fakeNet{hosts: map[string]http.Handler{"example.org": hs}}
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	store := NewMemoryStore()
	c := testClient(net)
	c.Now, c.Store = clock.Now, store
	ctx := context.Background()

	if _, err := c.Discover(ctx, "example.org"); err != nil {
		t.Fatal(err)
	}
	cold := len(net.requests())
	if cold != 4 { // well-known, then versions, login and metadata side by side
		t.Fatalf("cold discovery: got %d requests want 4: %v", cold, net.requests())
	}

	// Fresh: no request at all.
	clock.Add(5 * time.Minute)
	info, err := c.Discover(ctx, "example.org")
	mustNotFail(t, err)
	if n := len(net.requests()); n != cold {
		t.Fatalf("fresh cache made %d requests", n-cold)
	}
	if info.OAuth == nil || info.OAuth.Issuer != issuer {
		t.Fatalf("cached info lost its metadata: %+v", info.OAuth)
	}
	info.OAuth.Issuer = "changed by caller"

	// A new Client on the same store (a page reload) answers from the store.
	c2 := testClient(net)
	c2.Now, c2.Store = clock.Now, store
	info2, err := c2.Discover(ctx, "example.org")
	mustNotFail(t, err)
	if n := len(net.requests()); n != cold {
		t.Fatalf("stored cache made %d requests", n-cold)
	}
	if info2.OAuth.Issuer != issuer {
		t.Fatalf("caller's change leaked into the cache: %q", info2.OAuth.Issuer)
	}

	// Stale within stale-while-revalidate: answered at once, refreshed behind.
	clock.Add(6 * time.Minute)
	if _, err := c.Discover(ctx, "example.org"); err != nil {
		t.Fatal(err)
	}
	// Wait for the refresh's write (its entry stamped now), not for its
	// requests: a refresh that wrote after the clock moved on would look
	// fresh to the next call.
	revalidated := clock.Now()
	waitFor(t, func() bool {
		b, _ := store.Get(ctx, "discovery/https%3A%2F%2Fexample.org")
		var e struct {
			FetchedAt time.Time `json:"fetchedAt"`
		}
		return json.Unmarshal(b, &e) == nil && e.FetchedAt.Equal(revalidated)
	})
	if n := len(net.requests()); n != 2*cold {
		t.Fatalf("stale cache: got %d requests want %d", n, 2*cold)
	}

	// Past both windows: a plain fetch.
	clock.Add(30 * time.Minute)
	if _, err := c.Discover(ctx, "example.org"); err != nil {
		t.Fatal(err)
	}
	if n := len(net.requests()); n != 3*cold {
		t.Fatalf("expired cache: got %d requests want %d", n, 3*cold)
	}
}

func TestDiscoveryCacheDamagedEntry(t *testing.T) {
	hs := homeserver(metadataFor("https://account.example.org/", nil))
	net := &fakeNet{hosts: map[string]http.Handler{"example.org": hs}}
	c := testClient(net)
	store := NewMemoryStore()
	c.Store = store
	// The key is the stored format both builds share: "discovery/" and the
	// query-escaped fallback base URL.
	const key = "discovery/https%3A%2F%2Fexample.org"
	_ = store.Put(context.Background(), key, []byte(`{"info":`))
	if _, err := c.Discover(context.Background(), "example.org"); err != nil {
		t.Fatalf("a damaged cache entry must be a miss, got %v", err)
	}
	// The miss wrote a good entry over the damaged one, under that key.
	b, _ := store.Get(context.Background(), key)
	var e struct {
		Info *ServerInfo `json:"info"`
	}
	if json.Unmarshal(b, &e) != nil || e.Info == nil || e.Info.ServerName != "example.org" {
		t.Fatalf("entry under %s after the miss: %s", key, b)
	}
}

// waitFor polls cond: background work (a revalidation) has no other signal
// to wait on than what it leaves behind.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A stored entry from a version without today's hints (no unavailable,
// no explanation) is shown with the hints this version decides, from the
// store, without a request.
func TestDiscoveryCacheOlderEntryDecidedAgain(t *testing.T) {
	net := &fakeNet{hosts: map[string]http.Handler{}}
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	store := NewMemoryStore()
	c := testClient(net)
	c.Now, c.Store = clock.Now, store
	old := `{"info":{"serverName":"example.org","baseUrl":"https://example.org","versions":["v1.11"],` +
		`"oauth":null,"login":{"flows":["m.login.password"],"oauthAwarePreferred":false},` +
		`"hints":{"continueWith":"","showCreateAccount":false,"showPasswordForm":true}},` +
		`"fetchedAt":"` + clock.Now().Format(time.RFC3339) + `","freshFor":600000000000,"staleFor":0}`
	_ = store.Put(context.Background(), "discovery/https%3A%2F%2Fexample.org", []byte(old))
	info, err := c.Discover(context.Background(), "example.org")
	mustNotFail(t, err)
	if n := len(net.requests()); n != 0 {
		t.Fatalf("a fresh stored entry made %d requests", n)
	}
	if info.Hints.Unavailable != signin.UnavailablePasswordOnly || !strings.Contains(info.Hints.Explanation, "example.org signs in with a password only") {
		t.Errorf("hints %+v", info.Hints)
	}
}
