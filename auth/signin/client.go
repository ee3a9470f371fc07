// Package signin is what a signed-out page needs, without net/http:
// Matrix discovery (the well-known, /versions, GET /login, the auth
// metadata chain and its binding to the issuer, cached per server), the
// MSC3824 login hints, dynamic client registration with MAS's rules
// checked locally (cached per issuer), and the authorization request (PKCE,
// state, nonce, device id, Matrix scopes, the authorization URL) with its
// pending login kept in the Store.
//
// It talks to servers only through an injected fetch.Func, so the small
// browser build (mxauth.wasm) links neither net/http nor x/oauth2 nor
// go-oidc (a guard test proves it). Package auth puts the native net/http
// API and the session part (code exchange, ID token, refresh, revocation)
// on top of the same Client and the same Store records.
package signin

import (
	"io"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/fetch"
)

// Client holds the configuration every sign-in call shares. Fetch is
// required; each other nil field means the default stated beside it. A
// Client is safe for concurrent use; do not change its fields after the
// first call.
type Client struct {
	// Fetch makes the requests. It must keep redirects to https (or to
	// loopback http when the request says LoopbackHTTP) and must not
	// follow a redirect of a request that carries a secret to another
	// origin (a POST body, an Authorization header).
	Fetch fetch.Func
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
	// ids. Nil means crypto/rand, except in a js/wasm build, which has no
	// default and must set it (the small build hands in the page's
	// crypto.getRandomValues, so that it links no crypto/rand: issue 11).
	Rand io.Reader
	// ClientIDs are pre-registered OAuth client ids per issuer (the issuer
	// string exactly as the metadata gives it). A login with an issuer found
	// here does not register dynamically. LoginOptions.ClientID overrides it.
	ClientIDs map[string]string
	// PendingLoginTTL is how long a started login can be completed. Zero
	// means 1 hour.
	PendingLoginTTL time.Duration
	// Sealer encrypts the values the Client keeps secret (sessions,
	// pending logins) before they reach the Store. Nil stores them as they
	// are.
	Sealer Sealer

	once  sync.Once
	store Store
	disco discoveryCache
}

func (c *Client) init() {
	c.once.Do(func() {
		c.store = c.Store
		if c.store == nil {
			c.store = NewMemoryStore()
		}
	})
}

// StoreOf returns the Store the Client uses (its own MemoryStore when
// Store is nil).
func (c *Client) StoreOf() Store {
	c.init()
	return c.store
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

// storageError wraps a Store failure.
func storageError(op string, err error) *autherr.Error {
	return autherr.Wrap(autherr.Storage, op, err)
}
