package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	// Kind is "legacy" (signin.KindLegacy) for a session of the legacy
	// SSO route: its tokens come from the homeserver's POST /login
	// (m.login.token), refresh at POST /refresh and end at POST /logout;
	// Issuer is then the homeserver's base URL, ClientID and
	// TokenEndpoint are empty. "" is an OAuth 2.0 session.
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
	// ExpiresAt is when the access token expires, in milliseconds since the
	// epoch (CONTRACT.md); 0 when the server gave no expires_in.
	ExpiresAt int64 `json:"expiresAt,omitempty"`
	// LifetimeMs is the lifetime the server granted the access token
	// (expires_in), in milliseconds; 0 when unknown. It caps the default
	// validity a refresh aims for (see needed).
	LifetimeMs int64 `json:"lifetimeMs,omitempty"`
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

// Expiry returns ExpiresAt as a time, zero when unknown.
func (s *Session) Expiry() time.Time {
	if s.ExpiresAt == 0 {
		return time.Time{}
	}
	return time.UnixMilli(s.ExpiresAt)
}

// Token returns the session's tokens as an *oauth2.Token.
func (s *Session) Token() *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  s.AccessToken,
		TokenType:    "Bearer",
		RefreshToken: s.RefreshToken,
		Expiry:       s.Expiry(),
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
	if s.LifetimeMs > 0 {
		if half := time.Duration(s.LifetimeMs) * time.Millisecond / 2; half < d {
			return half
		}
	}
	return d
}

func (s *Session) validFor(now time.Time, d time.Duration) bool {
	if s.AccessToken == "" {
		return false
	}
	if s.ExpiresAt == 0 {
		return true
	}
	return now.Add(d).Before(s.Expiry())
}

// saveSession writes s under its ID in one Put, which the Store makes atomic
// (the hackpadfs store writes a temporary file and renames it), so a crash
// leaves the old or the new session, never half of one.
func (c *Client) saveSession(ctx context.Context, s *Session) error {
	b, err := json.Marshal(s)
	if err != nil {
		return &autherr.Error{Code: autherr.Storage, Op: "save session", Err: err}
	}
	if err := c.store.Put(ctx, sessionKey(s.ID()), b); err != nil {
		return storageError("save session", err)
	}
	return nil
}

// loadSession reads the session with id; (nil, nil) when there is none.
func (c *Client) loadSession(ctx context.Context, id string) (*Session, error) {
	b, err := c.store.Get(ctx, sessionKey(id))
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

// tokenHash fingerprints a token so that code holding the refresh lock can
// tell whether the stored tokens changed since it last read them without
// keeping more copies of the secret (the idea of matrix-rust-sdk's
// cross-process token lock).
func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:8])
}
