package auth

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
	"github.com/mxauth/mxauth/auth/signin"
	"golang.org/x/oauth2"
)

// defaultMinValidity is how long an access token must still be valid to be
// handed out without a refresh (CONTRACT.md accessToken minValidityMs's
// default).
const defaultMinValidity = 30 * time.Second

// Refresh retry bounds: network failures and 5xx answers are retried with
// a doubling wait, capped, and then reported with the session kept.
const (
	refreshAttempts   = 4
	refreshFirstWait  = 500 * time.Millisecond
	refreshMaxBackoff = 4 * time.Second
)

// TokenSource hands out the access token of one stored session and
// refreshes it ahead of expiry (RFC 6749 §6); oauth2.NewClient(ctx, ts)
// makes an *http.Client that signs Matrix requests. Refreshes run under
// Client.Locker and store the rotated tokens before handing them out, so
// holders sharing a Store never spend a refresh token twice nor lose the
// only valid one. Only invalid_grant ends the session (session_expired);
// network failures and 5xx answers are retried with capped backoff
// (waiting with Client.Retry.Sleep when set) and keep it.
type TokenSource struct {
	// MinValidity is how long the token must still be valid; zero means
	// 30 s.
	MinValidity time.Duration

	c  *Client
	id string
	// ctx is used by Token, which has no context parameter.
	ctx context.Context

	mu   sync.Mutex
	last *Session // last session read or written by this source
}

// TokenSource returns the refreshing token source of session s (which must
// be stored, as CompleteLogin leaves it). ctx is used by Token.
func (c *Client) TokenSource(ctx context.Context, s *Session) *TokenSource {
	c.init()
	cp := *s
	return &TokenSource{c: c, id: s.ID(), ctx: ctx, last: &cp}
}

// Token implements oauth2.TokenSource, with Client.TokenSource's ctx.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	return ts.TokenContext(ts.ctx)
}

// TokenContext is Token with a context.
func (ts *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	s, err := ts.Session(ctx)
	if err != nil {
		return nil, err
	}
	return s.Token(), nil
}

// Session returns the session with a valid access token.
func (ts *TokenSource) Session(ctx context.Context) (*Session, error) {
	ts.mu.Lock()
	last := ts.last
	ts.mu.Unlock()
	// Another holder of the session (a tab, a process) may have rotated or
	// ended it since: its refresh revoked the access token held here. The
	// Store says which tokens are current; a Store that cannot answer
	// leaves the tokens held here in use. last stays what this holder saw,
	// so that refreshSession still notices the other holder's rotation.
	cur := last
	if stored, err := ts.c.loadSession(ctx, ts.id); err == nil {
		if stored == nil {
			return nil, autherr.New(autherr.SessionExpired, "access token", "the session was signed out")
		}
		if last == nil || signin.Fingerprint(stored.AccessToken) != signin.Fingerprint(last.AccessToken) {
			cur = stored
		}
	}
	minValid := ts.MinValidity
	if minValid <= 0 {
		// The default, unlike a value the caller chose, adapts to servers
		// that grant short tokens (see Session.needed).
		minValid = defaultMinValidity
		if cur != nil {
			minValid = cur.needed(defaultMinValidity)
		}
	}
	if cur != nil && cur.validFor(ts.c.now(), minValid) {
		ts.mu.Lock()
		ts.last = cur
		ts.mu.Unlock()
		cp := *cur
		return &cp, nil
	}
	s, err := ts.c.refreshSession(ctx, ts.id, last, minValid)
	if err != nil {
		return nil, err
	}
	ts.mu.Lock()
	ts.last = s
	ts.mu.Unlock()
	cp := *s
	return &cp, nil
}

// AccessToken returns a valid access token of the current session,
// refreshing it when it expires within minValidity (zero means 30 s).
// Without a session it is session_expired.
func (c *Client) AccessToken(ctx context.Context, minValidity time.Duration) (string, error) {
	s, err := c.Session(ctx)
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", autherr.New(autherr.SessionExpired, "access token", "nobody is signed in")
	}
	ts := c.TokenSource(ctx, s)
	ts.MinValidity = minValidity
	tok, err := ts.TokenContext(ctx)
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// refreshSession refreshes the session id under the lock. seen is the
// session as the caller last knew it (nil when unknown).
//
// Refresh rules (spec v1.15 "Token refresh", MAS's behaviour):
//   - under Client.Locker, the stored session is read again; if another
//     holder already rotated the tokens (their hash changed) and the new
//     access token is good, no request is made;
//   - the rotated tokens are written to the Store before the new access
//     token is returned, so a crash never loses the only valid refresh token;
//   - invalid_grant ends the session: it is deleted and the error is
//     session_expired;
//   - network failures and 5xx answers are retried with capped backoff, the
//     session is kept; an answer lost after the request left (timeout,
//     reset) is retried once with the same refresh token, which MAS accepts
//     while the tokens it issued were never used (refreshWithRetry).
func (c *Client) refreshSession(ctx context.Context, id string, seen *Session, minValid time.Duration) (*Session, error) {
	const op = "refresh"
	unlock, err := c.locker().Lock(ctx, "refresh/"+id)
	if err != nil {
		return nil, err
	}
	defer unlock()

	s, err := c.loadSession(ctx, id)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, autherr.New(autherr.SessionExpired, op, "the session was signed out")
	}
	changed := seen == nil || signin.Fingerprint(seen.RefreshToken) != signin.Fingerprint(s.RefreshToken) || signin.Fingerprint(seen.AccessToken) != signin.Fingerprint(s.AccessToken)
	// Another holder of the lock (a tab, a process) rotated the tokens
	// while we waited: use theirs, do not spend the refresh token again.
	// A caller asking for more validity than the server grants would
	// otherwise refresh once per holder, so fresh tokens of another holder
	// need only defaultMinValidity.
	if changed && s.validFor(c.now(), min(minValid, s.needed(defaultMinValidity))) {
		return s, nil
	}
	if s.RefreshToken == "" {
		if s.validFor(c.now(), 0) {
			return s, nil
		}
		return nil, autherr.New(autherr.SessionExpired, op, "the access token expired and there is no refresh token")
	}
	tok, err := c.refreshTokens(ctx, s)
	if err != nil {
		if sessionOver(err) {
			// RFC 6749 §5.2: the refresh token is no longer valid; the
			// session is over.
			_ = c.endSession(ctx, s)
			var ae *autherr.Error
			errors.As(err, &ae)
			e := *ae
			e.Code = autherr.SessionExpired
			return nil, &e
		}
		return nil, err
	}
	next := *s
	next.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		next.RefreshToken = tok.RefreshToken
	}
	next.ExpiresAt, next.Lifetime = toMillisecond(tok.Expiry), tokenLifetime(tok)
	if sc := grantedScopes(tok, nil); len(sc) > 0 {
		next.Scope = sc
	}
	// Saved before it is handed out (RFC 6749 §10.4 rotation: the old
	// refresh token is spent now).
	if err := c.saveSession(ctx, &next); err != nil {
		return nil, err
	}
	c.kept(&next)
	return &next, nil
}

// refreshWithRetry sends the refresh request through x/oauth2, retrying
// what may succeed later.
func (c *Client) refreshWithRetry(ctx context.Context, s *Session) (*oauth2.Token, error) {
	const op = "refresh"
	if err := serverrule.CheckURL(s.TokenEndpoint, s.Insecure); err != nil {
		return nil, &autherr.Error{Code: autherr.MetadataInvalid, Op: op, Err: err}
	}
	conf := &oauth2.Config{
		ClientID: s.ClientID,
		Endpoint: oauth2.Endpoint{TokenURL: s.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams},
	}
	sleep := c.Retry.Sleep
	if sleep == nil {
		sleep = autherr.SleepCtx
	}
	wait := refreshFirstWait
	lostRetried := false
	var lastErr error
	for attempt := 0; attempt < refreshAttempts; attempt++ {
		tctx, cancel := c.tokenContext(ctx, s.Insecure)
		// An expired token makes x/oauth2 refresh at once.
		tok, err := conf.TokenSource(tctx, &oauth2.Token{RefreshToken: s.RefreshToken}).Token()
		if err != nil {
			err = withoutSecrets(tokenError(op, tctx, err, autherr.TokenExchangeFailed), s.RefreshToken, s.AccessToken)
		}
		cancel()
		if err == nil {
			if err := checkToken(op, tok); err != nil {
				return nil, err
			}
			return tok, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			return nil, autherr.FromContext(op, ctx.Err())
		}
		d, again := refreshRetry(err, wait, &lostRetried)
		if !again {
			return nil, err
		}
		if attempt == refreshAttempts-1 {
			break
		}
		if d > 0 {
			if err := sleep(ctx, d); err != nil {
				return nil, autherr.FromContext(op, err)
			}
		}
		wait = min(wait*2, refreshMaxBackoff)
	}
	return nil, lastErr
}

// refreshRetry decides whether a failed refresh is tried again, and after
// how long (wait unless the server says otherwise). A refresh whose answer
// may have been lost is sent once more at once (lostRetried records it):
// more would risk MAS treating the refresh token as replayed.
func refreshRetry(err error, wait time.Duration, lostRetried *bool) (time.Duration, bool) {
	var ae *autherr.Error
	if !errors.As(err, &ae) {
		return 0, false
	}
	switch {
	case ae.Code == autherr.ServerError:
		return wait, true
	case ae.Code == autherr.RateLimited:
		if ae.RetryAfter > refreshMaxBackoff {
			return 0, false
		}
		if ae.RetryAfter > 0 {
			return ae.RetryAfter, true
		}
		return wait, true
	case redirectRefused(ae):
		// The same endpoint would redirect again; nothing went there.
		return 0, false
	case (ae.Code == autherr.Network || ae.Code == autherr.Timeout) && neverSent(ae):
		// Nothing reached the server: safe to try again.
		return wait, true
	case ae.Code == autherr.Network || ae.Code == autherr.Timeout:
		// The request may have been processed and its answer lost.
		if *lostRetried {
			return 0, false
		}
		*lostRetried = true
		return 0, true
	}
	return 0, false
}

// neverSent reports a transport failure that happened before the request
// could reach the server (no connection was made).
func neverSent(e *autherr.Error) bool {
	var op *net.OpError
	return errors.As(e.Err, &op) && op.Op == "dial"
}

// tokenLifetime is the expires_in of a token answer to the millisecond,
// 0 when absent or not a positive number.
func tokenLifetime(tok *oauth2.Token) time.Duration {
	var secs float64
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		secs = v
	case string:
		_, _ = fmt.Sscanf(v, "%g", &secs)
	}
	if secs <= 0 || secs > 10*365*24*3600 {
		return 0
	}
	return time.Duration(secs*1000) * time.Millisecond
}
