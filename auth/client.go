package auth

import (
	"crypto/rand"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// Client holds the configuration every call shares; there is no
// package-level one. Each zero field means the default stated beside it.
// A Client is safe for concurrent use; do not change its fields after the
// first call.
type Client struct {
	// HTTPClient makes the requests. Nil means a client with no timeout of
	// its own (Timeout applies per request). mxauth replaces its redirect
	// policy on a copy so that a redirect can never leave https.
	HTTPClient *http.Client
	// Store keeps the discovery and registration caches, pending logins and
	// sessions. Nil means a MemoryStore private to this Client.
	Store Store
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Timeout bounds each request, headers and body. Zero means 15 s.
	Timeout time.Duration
	// Retry bounds the retries of rate-limited (429) requests.
	Retry autherr.RetryPolicy
	// CacheTTL is how long a discovery result is fresh when the server sent
	// no Cache-Control max-age. Zero means 10 minutes.
	CacheTTL time.Duration
	// StaleWhileRevalidate is how long past freshness a cached discovery is
	// still answered at once while a background request refreshes it, when
	// the server sent no stale-while-revalidate. Zero means 1 hour.
	StaleWhileRevalidate time.Duration
	// Rand is the source of the PKCE verifier, state, nonce and device
	// ids. Nil means crypto/rand, on every platform.
	Rand io.Reader
	// Locker serialises token refreshes of one session. Nil means an
	// in-process mutex private to this Client; programs that share a Store
	// between processes (or browser tabs) provide one that spans them.
	Locker Locker
	// ClientIDs are pre-registered OAuth client ids per issuer (the issuer
	// string exactly as the metadata gives it). A login with an issuer found
	// here does not register dynamically. LoginOptions.ClientID overrides it.
	ClientIDs map[string]string
	// PendingLoginTTL is how long a login can be completed; zero means 1 h.
	PendingLoginTTL time.Duration
	// Sealer encrypts the values the Client keeps secret (sessions with
	// their refresh tokens, pending logins with their PKCE verifiers)
	// before they reach the Store. Nil stores them as they are.
	Sealer Sealer
	// AccessTokens, when set, keeps access tokens out of the Store
	// altogether. Nil stores them with their session.
	AccessTokens AccessTokens

	lockOnce  sync.Once
	defLocker Locker

	once     sync.Once
	store    Store
	core     *signin.Client // discovery, registration, the authorization request
	httpOnce sync.Once
	httpc    [2]*http.Client // [secure, insecure-loopback]
}

func (c *Client) init() {
	c.once.Do(func() {
		c.store = c.Store
		if c.store == nil {
			c.store = NewMemoryStore()
		}
		rnd := c.Rand
		if rnd == nil {
			// Set here, not left to the core: a js/wasm core has no
			// default source (it keeps crypto/rand out of the small
			// build), and this package links crypto/rand anyway.
			rnd = rand.Reader
		}
		c.core = &signin.Client{
			Fetch: c.httpFetch, Store: c.store, Now: c.Now, Timeout: c.Timeout, Retry: c.Retry,
			CacheTTL: c.CacheTTL, StaleWhileRevalidate: c.StaleWhileRevalidate, Rand: rnd,
			ClientIDs: c.ClientIDs, PendingLoginTTL: c.PendingLoginTTL, Sealer: c.Sealer,
		}
	})
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 15 * time.Second
}

func (c *Client) locker() Locker {
	if c.Locker != nil {
		return c.Locker
	}
	c.lockOnce.Do(func() { c.defLocker = &MutexLocker{} })
	return c.defLocker
}
