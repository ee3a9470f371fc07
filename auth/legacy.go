package auth

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// The session part of the legacy SSO route (signin.KindLegacy): the
// loginToken callback redeemed with POST /login (m.login.token), the
// legacy POST /refresh and POST /logout (spec v1.3+ "Refreshing access
// tokens", "Login", "Logout"). The session it makes is the same Session,
// stored, refreshed under the same lock and ended the same way as an
// OAuth 2.0 one; only the requests differ.

// completeKind completes the pending login rec with the answer cb, by the
// route rec was started on. An answer of the other route (a code for a
// legacy login, a loginToken for an OAuth one) is refused: it was not
// sent in answer to this login.
func (c *Client) completeKind(ctx context.Context, op string, cb *signin.Callback, rec *pendingRecord) (*Session, error) {
	if rec.Kind != signin.KindLegacy {
		if cb.LoginToken != "" && cb.Code == "" && cb.Error == "" {
			return nil, &autherr.Error{Code: autherr.StateMismatch, Op: op, Details: map[string]string{"reason": "kind_mismatch"},
				Err: fmt.Errorf("a loginToken answers an OAuth 2.0 login")}
		}
		return c.completeTaken(ctx, op, cb, rec)
	}
	if cb.LoginToken == "" {
		if cb.Error != "" {
			return nil, authorizationError(cb)
		}
		return nil, &autherr.Error{Code: autherr.StateMismatch, Op: op, Details: map[string]string{"reason": "kind_mismatch"},
			Err: fmt.Errorf("the answer to a legacy SSO login carries no loginToken")}
	}
	tok, deviceID, err := c.redeemLoginToken(ctx, rec, cb.LoginToken)
	if err != nil {
		return nil, err
	}
	// finishLogin asks whoami, checks the device and the user's server
	// and stores the session; the homeserver stands in for the issuer.
	r := *rec
	r.DeviceID = deviceID
	r.OAuth = signin.OAuthInfo{Issuer: rec.BaseURL}
	r.Scopes = []string{}
	return c.finishLogin(ctx, op, &r, tok)
}

// legacyLogin is the answer of POST /_matrix/client/v3/login and of POST
// /_matrix/client/v3/refresh (the fields both share).
type legacyLogin struct {
	UserID       string `json:"user_id"`
	AccessToken  string `json:"access_token"`
	DeviceID     string `json:"device_id"`
	RefreshToken string `json:"refresh_token"`
	ExpiresInMs  int64  `json:"expires_in_ms"`
}

// token is the answer as an oauth2.Token, so the session code shared with
// the OAuth 2.0 route reads it: expires_in_ms becomes the expiry and an
// expires_in extra. A server that grants no expiry (refresh tokens are
// optional, spec v1.3) leaves both zero: the token is used until the
// server refuses it.
func (a *legacyLogin) token(now time.Time) *oauth2.Token {
	tok := &oauth2.Token{AccessToken: a.AccessToken, TokenType: "Bearer", RefreshToken: a.RefreshToken}
	if a.ExpiresInMs > 0 && a.ExpiresInMs < 10*365*24*3600*1000 {
		tok.Expiry = now.Add(time.Duration(a.ExpiresInMs) * time.Millisecond)
		tok = tok.WithExtra(map[string]any{"expires_in": float64(a.ExpiresInMs) / 1000})
	}
	return tok
}

// redeemLoginToken sends the loginToken to the homeserver the pending
// login was started for (rec.BaseURL, as stored at the start — never one
// named by the callback) and asks for a refresh token.
func (c *Client) redeemLoginToken(ctx context.Context, rec *pendingRecord, loginToken string) (*oauth2.Token, string, error) {
	const op = "token"
	body := map[string]any{"type": "m.login.token", "token": loginToken, "refresh_token": true}
	if rec.DeviceID != "" {
		body["device_id"] = rec.DeviceID
	}
	if rec.DeviceName != "" {
		body["initial_device_display_name"] = rec.DeviceName
	}
	a, err := c.legacyPost(ctx, op, rec.BaseURL+"/_matrix/client/v3/login", body, rec.Insecure, loginToken)
	if err != nil {
		return nil, "", err
	}
	// The server may choose the device (spec: device_id is a request);
	// whoami must then name the one it chose.
	deviceID := rec.DeviceID
	if a.DeviceID != "" {
		deviceID = a.DeviceID
	}
	return a.token(c.now()), deviceID, nil
}

// legacyPost posts body as JSON to a legacy endpoint that answers tokens
// and checks the answer. secret is blanked out of the server's words.
func (c *Client) legacyPost(ctx context.Context, op, url string, body any, insecure bool, secret string) (*legacyLogin, error) {
	resp, err := c.do(ctx, signin.Request{Op: op, Method: http.MethodPost, URL: url, JSON: body, Insecure: insecure})
	if err != nil {
		return nil, withoutSecrets(err, secret)
	}
	if resp.Status != http.StatusOK {
		return nil, withoutSecrets(autherr.FromReply(op, autherr.Classify(resp.Status, resp.Body, autherr.TokenExchangeFailed), resp.Status, resp.Body), secret)
	}
	var a legacyLogin
	if err := signin.DecodeJSON(op, resp, &a, autherr.TokenExchangeFailed); err != nil {
		return nil, err
	}
	if err := checkToken(op, a.token(c.now())); err != nil {
		return nil, err
	}
	return &a, nil
}

// refreshTokens refreshes s by its route: RFC 6749 §6 at the token
// endpoint, or the legacy POST /refresh.
func (c *Client) refreshTokens(ctx context.Context, s *Session) (*oauth2.Token, error) {
	if s.Kind != signin.KindLegacy {
		return c.refreshWithRetry(ctx, s)
	}
	const op = "refresh"
	a, err := c.legacyPost(ctx, op, s.BaseURL+"/_matrix/client/v3/refresh", map[string]string{"refresh_token": s.RefreshToken}, s.Insecure, s.RefreshToken)
	if err != nil {
		return nil, withoutSecrets(err, s.AccessToken)
	}
	return a.token(c.now()), nil
}

// sessionOver reports a refresh answer that ends the session: OAuth 2.0's
// invalid_grant (RFC 6749 §5.2), or the homeserver's M_UNKNOWN_TOKEN for
// a refresh token it no longer knows (spec "Refreshing access tokens":
// 401, soft_logout false).
func sessionOver(err error) bool {
	switch errcodeOf(err) {
	case "invalid_grant", "M_UNKNOWN_TOKEN":
		return true
	}
	return false
}

// logoutLegacy ends a legacy session with POST /_matrix/client/v3/logout
// (its access token and refresh token end with the device), then forgets
// it, as Logout does, with the same Details on failure. An access token
// known to have expired is refreshed first, so that the device is really
// ended rather than refused as soft-logged-out.
func (c *Client) logoutLegacy(ctx context.Context, s *Session) error {
	const op = "logout"
	access := s.AccessToken
	if s.RefreshToken != "" && !s.ExpiresAt.IsZero() && !s.validFor(c.now(), 0) {
		if tok, err := c.refreshTokens(ctx, s); err == nil {
			access = tok.AccessToken
		}
	}
	var first *autherr.Error
	resp, err := c.do(ctx, signin.Request{Op: op, Method: http.MethodPost, URL: s.BaseURL + "/_matrix/client/v3/logout", JSON: map[string]any{}, Bearer: access, Insecure: s.Insecure})
	switch {
	case err != nil:
		first = autherr.Wrap(autherr.Network, op, withoutSecrets(err, access, s.RefreshToken))
	case resp.Status == http.StatusUnauthorized:
		// The token is already unknown: nothing is left to end.
	case resp.Status != http.StatusOK:
		first = autherr.Wrap(autherr.Network, op, withoutSecrets(autherr.FromReply(op, autherr.Classify(resp.Status, resp.Body, autherr.Forbidden), resp.Status, resp.Body), access, s.RefreshToken))
	}
	forgetErr := c.endSession(ctx, s)
	if first == nil {
		return forgetErr
	}
	state := "failed"
	details := map[string]string{"accessToken": state, "refreshToken": "none", "sessionForgotten": fmt.Sprint(forgetErr == nil)}
	if s.RefreshToken != "" {
		details["refreshToken"] = state
	}
	for k, v := range first.Details {
		if _, ok := details[k]; !ok {
			details[k] = v
		}
	}
	e := *first
	e.Op, e.Details = op, details
	return &e
}
