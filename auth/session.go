package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// Session is a signed-in Matrix device: who, where, and its tokens. The first
// fields and their JSON names are CONTRACT.md's Session; the rest are what
// refresh, logout and the account link need without a new discovery.
type Session struct {
	// Kind is "legacy" (signin.KindLegacy) for a legacy SSO session
	// (m.login.token, /refresh, /logout; Issuer is the base URL, no
	// ClientID), "" for OAuth 2.0.
	Kind       string   `json:"kind,omitempty"`
	UserID     string   `json:"userId"`
	DeviceID   string   `json:"deviceId"`
	ServerName string   `json:"serverName"`
	BaseURL    string   `json:"baseUrl"`
	Issuer     string   `json:"issuer"`
	ClientID   string   `json:"clientId"`
	Scope      []string `json:"scope"`

	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken,omitempty"`
	// ExpiresAt is when the access token expires, to the millisecond;
	// zero when the server gave no expires_in. Its JSON (the Store's
	// record, CONTRACT.md's expiresAt) is milliseconds since the epoch.
	ExpiresAt time.Time `json:"-"`
	// Lifetime is what the server granted the access token (expires_in);
	// zero when unknown. A refresh aims at most at half of it by default
	// (a 20 s token can never be "valid for 30 s"). JSON: lifetimeMs.
	Lifetime time.Duration `json:"-"`
	// IDTokenClaims are the claims of the verified ID token, when the server
	// returned one.
	IDTokenClaims map[string]any `json:"idTokenClaims,omitempty"`

	TokenEndpoint            string   `json:"tokenEndpoint"`
	RevocationEndpoint       string   `json:"revocationEndpoint,omitempty"`
	AccountManagementURI     string   `json:"accountManagementUri,omitempty"`
	AccountManagementActions []string `json:"accountManagementActions,omitempty"`
	// Insecure is true for a loopback server reached over plain http.
	Insecure bool `json:"insecure,omitempty"`
}

// sessionFields is Session without its JSON methods.
type sessionFields Session

// sessionRecord is Session's JSON: times in milliseconds, as the Store
// has always held them and as pages see them.
type sessionRecord struct {
	*sessionFields
	ExpiresAt  int64 `json:"expiresAt,omitempty"`
	LifetimeMs int64 `json:"lifetimeMs,omitempty"`
}

// MarshalJSON writes s with ExpiresAt and Lifetime in milliseconds.
func (s Session) MarshalJSON() ([]byte, error) {
	r := sessionRecord{sessionFields: (*sessionFields)(&s), LifetimeMs: s.Lifetime.Milliseconds()}
	if !s.ExpiresAt.IsZero() {
		r.ExpiresAt = s.ExpiresAt.UnixMilli()
	}
	return json.Marshal(r)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (s *Session) UnmarshalJSON(b []byte) error {
	r := sessionRecord{sessionFields: (*sessionFields)(s)}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	s.ExpiresAt, s.Lifetime = fromMillis(r.ExpiresAt), time.Duration(r.LifetimeMs)*time.Millisecond
	return nil
}

// fromMillis is the time ms milliseconds after the epoch; zero for 0.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// toMillisecond is t as the Store keeps it, so that a session read back
// equals the one written.
func toMillisecond(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli())
}

// Token returns the session's tokens as an *oauth2.Token.
func (s *Session) Token() *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  s.AccessToken,
		TokenType:    "Bearer",
		RefreshToken: s.RefreshToken,
		Expiry:       s.ExpiresAt,
	}
}

// ID is the session's stable name in the Store: a hash of issuer, user and
// device, so that the key reveals nothing and never needs escaping.
func (s *Session) ID() string { return signin.SessionID(s.Issuer, s.UserID, s.DeviceID) }

// Store keys of sessions.
const (
	sessionPrefix     = signin.SessionPrefix
	currentSessionKey = signin.CurrentSessionKey
)

func sessionKey(id string) string { return sessionPrefix + id }

// validFor reports whether the access token is still good for at least d.
// A session without an expiry is taken as valid (the server said nothing).
// needed caps the default validity at half the token's granted lifetime: a
// server that grants 20 s tokens can never satisfy "valid for 30 s", and
// every call would refresh again, in every tab. A validity the caller chose
// is kept as asked.
func (s *Session) needed(d time.Duration) time.Duration {
	if s.Lifetime > 0 {
		if half := s.Lifetime / 2; half < d {
			return half
		}
	}
	return d
}

func (s *Session) validFor(now time.Time, d time.Duration) bool {
	if s.AccessToken == "" {
		return false
	}
	if s.ExpiresAt.IsZero() {
		return true
	}
	return now.Add(d).Before(s.ExpiresAt)
}

// AccessTokens keeps access tokens out of the Store, each under its
// session's id and the fingerprint (signin.Fingerprint) of the refresh
// token it goes with, so that no holder uses an access token whose refresh
// token another holder rotated away; a session whose token is not found
// here is refreshed.
type AccessTokens interface {
	// Keep holds access once the session (and, at login, the
	// current-session mark) is stored.
	Keep(id, access, refresh string)
	// Recall returns what Keep holds for id and refresh.
	Recall(ctx context.Context, id, refresh string) (string, bool)
	// Forget drops what is held for session id: the session ended.
	Forget(id string)
}

// saveSession writes s under its ID in one Put, which the Store makes atomic
// (the hackpadfs store writes a temporary file and renames it), so a crash
// leaves the old or the new session, never half of one. The session is a
// secret (signin.Client.PutSecret): sealed when the Client has a Sealer,
// and without its access token when it has AccessTokens (kept calls Keep
// once the caller's writes are done).
func (c *Client) saveSession(ctx context.Context, s *Session) error {
	rec := *s
	if c.AccessTokens != nil {
		rec.AccessToken = ""
	}
	b, err := json.Marshal(&rec)
	if err != nil {
		return &autherr.Error{Code: autherr.Storage, Op: "save session", Err: err}
	}
	if err := c.core.PutSecret(ctx, sessionKey(s.ID()), b); err != nil {
		return storageError("save session", err)
	}
	return nil
}

// kept hands the access token of s, just saved, to AccessTokens.
func (c *Client) kept(s *Session) {
	if c.AccessTokens != nil {
		c.AccessTokens.Keep(s.ID(), s.AccessToken, signin.Fingerprint(s.RefreshToken))
	}
}

// loadSession reads the session with id; (nil, nil) when there is none.
func (c *Client) loadSession(ctx context.Context, id string) (*Session, error) {
	b, err := c.core.GetSecret(ctx, sessionKey(id))
	if err != nil {
		return nil, storageError("load session", err)
	}
	if b == nil {
		return nil, nil
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, &autherr.Error{Code: autherr.Storage, Op: "load session", Err: fmt.Errorf("stored session is damaged: %w", err)}
	}
	if c.AccessTokens != nil {
		s.AccessToken, _ = c.AccessTokens.Recall(ctx, id, signin.Fingerprint(s.RefreshToken))
	}
	return &s, nil
}

// deleteSession forgets the session with id, and the current-session mark
// when it points at it.
func (c *Client) deleteSession(ctx context.Context, id string) error {
	var first error
	if err := c.store.Delete(ctx, sessionKey(id)); err != nil {
		first = storageError("delete session", err)
	}
	cur, err := c.store.Get(ctx, currentSessionKey)
	if err == nil && string(cur) == id {
		err = c.store.Delete(ctx, currentSessionKey)
	}
	if err != nil && first == nil {
		first = storageError("delete session", err)
	}
	if c.AccessTokens != nil {
		c.AccessTokens.Forget(id)
	}
	return first
}

// endSession forgets session s, as deleteSession, and remembers its device
// for the next login at its issuer (signin.LastDevicePrefix): the two
// places a session ends (Logout, a refresh answered invalid_grant) call
// it. The record is housekeeping: failing to write it fails nothing.
func (c *Client) endSession(ctx context.Context, s *Session) error {
	_ = c.core.RememberDevice(ctx, s.Issuer, s.UserID, s.DeviceID)
	return c.deleteSession(ctx, s.ID())
}

// Session returns the current session (the one the last CompleteLogin
// stored), or nil when nobody is signed in. It makes no request.
func (c *Client) Session(ctx context.Context) (*Session, error) {
	c.init()
	cur, err := c.store.Get(ctx, currentSessionKey)
	if err != nil {
		return nil, storageError("session", err)
	}
	if len(cur) == 0 {
		return nil, nil
	}
	return c.loadSession(ctx, string(cur))
}

// Sessions lists every stored session, in the order of their IDs. A Go
// program may keep several accounts in one Store; the browser uses one.
func (c *Client) Sessions(ctx context.Context) ([]*Session, error) {
	c.init()
	keys, err := c.store.Keys(ctx, sessionPrefix)
	if err != nil {
		return nil, storageError("sessions", err)
	}
	var out []*Session
	for _, k := range keys {
		s, err := c.loadSession(ctx, strings.TrimPrefix(k, sessionPrefix))
		if err != nil {
			return nil, err
		}
		if s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}

// storageError wraps a Store failure.
func storageError(op string, err error) *autherr.Error {
	return autherr.Wrap(autherr.Storage, op, err)
}
