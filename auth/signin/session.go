package signin

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/digest"
)

// Store keys of sessions, written by package auth's session part and read
// by both builds (the small one only for display, never for tokens).
const (
	// SessionPrefix is followed by a session's ID.
	SessionPrefix = "sessions/"
	// CurrentSessionKey holds the ID of the session the last login stored.
	CurrentSessionKey = "current-session"
)

// StoredSession is what a page may show of the stored session without
// holding it: CONTRACT.md's Session, never a token, and the one shape both
// builds hand to the page (session(), completeLogin(), the "session"
// event), so a page cannot tell which build answered. It reads the same
// record package auth's Session writes (the JSON names are shared), so the
// small build can say who is signed in without the session build.
type StoredSession struct {
	// Kind is "legacy" (KindLegacy) for a session of the legacy SSO route,
	// absent for OAuth 2.0.
	Kind       string   `json:"kind,omitempty"`
	UserID     string   `json:"userId"`
	DeviceID   string   `json:"deviceId"`
	ServerName string   `json:"serverName"`
	BaseURL    string   `json:"baseUrl"`
	Issuer     string   `json:"issuer"`
	ClientID   string   `json:"clientId"`
	Scope      []string `json:"scope"`
	// ExpiresAt is when the access token expires, in milliseconds since
	// the epoch; 0 when unknown.
	ExpiresAt int64 `json:"expiresAt,omitempty"`
	// AccountURL is the account management page without an action: the
	// AccountManagementURI (the record does not hold it; StoredSession and
	// package auth's page view set it).
	AccountURL    string         `json:"accountUrl,omitempty"`
	IDTokenClaims map[string]any `json:"idTokenClaims,omitempty"`
	// Beyond the contract (README), none of them a secret: the lifetime
	// the server granted the access token, the server's account page and
	// the actions it lists, and whether the server is a loopback one
	// reached over plain http.
	LifetimeMs               int64    `json:"lifetimeMs,omitempty"`
	AccountManagementURI     string   `json:"accountManagementUri,omitempty"`
	AccountManagementActions []string `json:"accountManagementActions,omitempty"`
	Insecure                 bool     `json:"insecure,omitempty"`
}

// StoredSession reads the current session (the one the last login stored)
// for display, or nil when nobody is signed in. It makes no request and
// decodes no token.
func (c *Client) StoredSession(ctx context.Context) (*StoredSession, error) {
	const op = "session"
	c.init()
	cur, err := c.store.Get(ctx, CurrentSessionKey)
	if err != nil {
		return nil, storageError(op, err)
	}
	if len(cur) == 0 {
		return nil, nil
	}
	b, err := c.GetSecret(ctx, SessionPrefix+string(cur))
	if err != nil {
		return nil, storageError(op, err)
	}
	if b == nil {
		return nil, nil
	}
	var s StoredSession
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, &autherr.Error{Code: autherr.Storage, Op: op, Err: fmt.Errorf("stored session is damaged: %w", err)}
	}
	s.AccountURL = s.AccountManagementURI
	return &s, nil
}

// SessionID names a session in the Store ("sessions/<id>"): a hash of its
// issuer, user and device, the one rule both builds and the browser store
// use.
func SessionID(issuer, userID, deviceID string) string {
	h := digest.Sum256([]byte(issuer + "\n" + userID + "\n" + deviceID))
	return hex.EncodeToString(h[:12])
}

// Fingerprint names a token without being it, the one way mxauth compares
// tokens: code holding the refresh lock tells by it whether the stored
// tokens changed since it last read them without keeping more copies of
// the secret (the idea of matrix-rust-sdk's cross-process token lock),
// package auth's AccessTokens pairs an access token with its refresh
// token by it, and the session build tells a new access token from the
// last one handed out.
func Fingerprint(token string) string {
	h := digest.Sum256([]byte("mxauth token\n" + token))
	return hex.EncodeToString(h[:16])
}

// ID is SessionID of s.
func (s *StoredSession) ID() string { return SessionID(s.Issuer, s.UserID, s.DeviceID) }
