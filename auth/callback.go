package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
	"github.com/mxauth/mxauth/auth/signin"
	"golang.org/x/oauth2"
)

// CompleteLogin finishes the login the callback URL answers: it checks
// state and iss (RFC 9207), exchanges the code (RFC 7636 §4.5), verifies
// any ID token, asks whoami who signed in and stores the session as the
// current one. A second call with the same URL is no_pending_login.
func (c *Client) CompleteLogin(ctx context.Context, callbackURL string) (*Session, error) {
	s, _, err := c.CompleteLoginWithState(ctx, callbackURL)
	return s, err
}

// CompleteLoginWithState is CompleteLogin that also hands back
// LoginOptions.State (nil when none), kept in the Store, never in the URL.
func (c *Client) CompleteLoginWithState(ctx context.Context, callbackURL string) (*Session, json.RawMessage, error) {
	const op = "complete login"
	c.init()
	cb, err := signin.ParseCallback(callbackURL)
	if err != nil {
		return nil, nil, err
	}
	if cb.State == "" {
		return nil, nil, autherr.New(autherr.StateMismatch, op, "the answer carries no state")
	}
	rec, err := c.takePending(ctx, cb.State)
	if err != nil {
		return nil, nil, err
	}
	s, err := c.completeKind(ctx, op, cb, rec)
	if err != nil {
		return nil, nil, err
	}
	return s, rec.AppState, nil
}

// completeTaken checks the answer to the pending login rec (taken from the
// Store) and turns its code into the stored session.
func (c *Client) completeTaken(ctx context.Context, op string, cb *signin.Callback, rec *pendingRecord) (*Session, error) {
	// RFC 9207 §2.4, for answers and error answers alike: an answer from
	// another issuer is a mix-up attack, and a server that says it sends
	// iss always sends it.
	switch {
	case cb.Issuer != "" && cb.Issuer != rec.OAuth.Issuer:
		return nil, &autherr.Error{Code: autherr.StateMismatch, Op: op, Details: map[string]string{"reason": "iss_mismatch"},
			Err: fmt.Errorf("the answer comes from issuer %q, the login went to %q", serverrule.ClipURL(cb.Issuer), rec.OAuth.Issuer)}
	case cb.Issuer == "" && rec.OAuth.IssParameterSupported:
		return nil, &autherr.Error{Code: autherr.StateMismatch, Op: op, Details: map[string]string{"reason": "iss_missing"},
			Err: fmt.Errorf("the answer carries no iss, though issuer %q says it always sends one", rec.OAuth.Issuer)}
	}
	if cb.Error != "" {
		if cb.Error == "invalid_client" || cb.Error == "unauthorized_client" {
			c.forgetRegistration(ctx, rec.RegistrationKey)
		}
		return nil, authorizationError(cb)
	}

	tok, err := c.exchange(ctx, rec, cb.Code)
	if err != nil {
		if autherr.CodeOf(err) == autherr.TokenExchangeFailed && errcodeOf(err) == "invalid_client" {
			c.forgetRegistration(ctx, rec.RegistrationKey)
		}
		return nil, err
	}
	return c.finishLogin(ctx, op, rec, tok)
}

// takePending loads and deletes the pending login of state under its lock,
// so that of two concurrent completions only one finds it.
func (c *Client) takePending(ctx context.Context, state string) (*pendingRecord, error) {
	const op = "complete login"
	if len(state) > 256 {
		return nil, autherr.New(autherr.NoPendingLogin, op, "no login is waiting for this answer")
	}
	key := pendingPrefix + state
	unlock, err := c.locker().Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	b, err := c.core.GetSecret(ctx, key)
	if err != nil {
		return nil, storageError(op, err)
	}
	if b == nil {
		return nil, autherr.New(autherr.NoPendingLogin, op, "no login is waiting for this answer (unknown state, already completed or expired)")
	}
	if err := c.store.Delete(ctx, key); err != nil {
		return nil, storageError(op, err)
	}
	var rec pendingRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, &autherr.Error{Code: autherr.NoPendingLogin, Op: op, Err: fmt.Errorf("the stored login is damaged: %w", err)}
	}
	if c.now().After(rec.ExpiresAt) {
		return nil, autherr.New(autherr.NoPendingLogin, op, "the login expired at %s; start again", rec.ExpiresAt.Format(time.RFC3339))
	}
	return &rec, nil
}

// authorizationError maps an error answer (RFC 6749 §4.1.2.1) to a code.
// The server's error and error_description are kept.
func authorizationError(cb *signin.Callback) *autherr.Error {
	e := &autherr.Error{Code: autherr.AuthorizationDenied, Op: "authorize", Errcode: signin.ClipText(cb.Error, 64), Message: signin.ClipText(cb.ErrorDescription, 512)}
	switch cb.Error {
	case "server_error", "temporarily_unavailable":
		e.Code = autherr.ServerError
	}
	if e.Message == "" {
		e.Message = "the server answered " + e.Errcode
	}
	return e
}

func errcodeOf(err error) string {
	var e *autherr.Error
	if errors.As(err, &e) {
		return e.Errcode
	}
	return ""
}

// tokenContext carries the HTTP client x/oauth2 and go-oidc use, and the
// per-request timeout.
func (c *Client) tokenContext(ctx context.Context, insecure bool) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	return context.WithValue(ctx, oauth2.HTTPClient, c.httpClient(insecure)), cancel
}

// oauth2Config is the x/oauth2 view of the server for one client. The
// client is public, so its id goes in the form body and no Basic auth is
// ever tried (AuthStyleInParams).
func oauth2Config(o *signin.OAuthInfo, clientID, redirect string, scopes []string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: clientID,
		Endpoint: oauth2.Endpoint{
			AuthURL:   o.AuthorizationEndpoint,
			TokenURL:  o.TokenEndpoint,
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirect,
		Scopes:      scopes,
	}
}

// exchange redeems the code at the token endpoint (RFC 6749 §4.1.3) with
// the verifier (RFC 7636 §4.5) and the exact redirect URI.
func (c *Client) exchange(ctx context.Context, rec *pendingRecord, code string) (*oauth2.Token, error) {
	const op = "token"
	if err := serverrule.CheckURL(rec.OAuth.TokenEndpoint, rec.Insecure); err != nil {
		return nil, signin.MetadataError(op, "token_endpoint", "%v", err)
	}
	conf := oauth2Config(&rec.OAuth, rec.ClientID, rec.RedirectURI, rec.Scopes)
	var tok *oauth2.Token
	err := c.Retry.Do(ctx, func() error {
		tctx, cancel := c.tokenContext(ctx, rec.Insecure)
		defer cancel()
		var err error
		tok, err = conf.Exchange(tctx, code, oauth2.VerifierOption(rec.Verifier))
		if err != nil {
			return withoutSecrets(tokenError(op, tctx, err, autherr.TokenExchangeFailed), code, rec.Verifier)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := checkToken(op, tok); err != nil {
		return nil, err
	}
	return tok, nil
}

// checkToken applies RFC 6749 §5.1 to a successful answer: an access token
// of type Bearer, compared case-insensitively (§5.1, RFC 6750 §4).
func checkToken(op string, tok *oauth2.Token) error {
	if tok.AccessToken == "" {
		return autherr.New(autherr.TokenExchangeFailed, op, "the answer has no access_token")
	}
	if !strings.EqualFold(tok.TokenType, "bearer") {
		return autherr.New(autherr.TokenExchangeFailed, op, "token_type %q is not Bearer", signin.ClipText(tok.TokenType, 40))
	}
	if len(tok.AccessToken) > 8192 || len(tok.RefreshToken) > 8192 {
		return autherr.New(autherr.TokenExchangeFailed, op, "the tokens are implausibly long")
	}
	return nil
}

// tokenError classifies a failure of x/oauth2's token request: an error
// answer keeps the server's error and error_description; 429 is
// rate_limited, 5xx server_error; transport failures network or timeout.
func tokenError(op string, ctx context.Context, err error, fallback autherr.Code) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		var header http.Header
		if re.Response != nil {
			status = re.Response.StatusCode
			header = re.Response.Header
		}
		code := fallback
		switch {
		case status == http.StatusTooManyRequests:
			code = autherr.RateLimited
		case status >= 500:
			code = autherr.ServerError
		}
		e := autherr.FromReply(op, code, status, re.Body)
		if re.ErrorCode != "" {
			e.Errcode = signin.ClipText(re.ErrorCode, 64)
			e.Message = signin.ClipText(re.ErrorDescription, 512)
		}
		if code == autherr.RateLimited && e.RetryAfter == 0 && header != nil {
			// The wait is slept on the wall clock, so an HTTP-date is
			// measured from it.
			e.RetryAfter = serverrule.RetryAfter(header.Get("Retry-After"), time.Now())
		}
		return e
	}
	var ae *autherr.Error
	if errors.As(err, &ae) {
		return ae
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return signin.TransportError(op, ctx, err)
	}
	if ctx.Err() != nil {
		return autherr.FromContext(op, ctx.Err())
	}
	// x/oauth2 found the answer unusable (no access_token, bad JSON).
	return &autherr.Error{Code: fallback, Op: op, Err: err}
}

// grantedScopes is the scope of the answer (RFC 6749 §5.1), or what was
// asked for when the server left it out (it may; oidc-provider leaves out
// openid).
func grantedScopes(tok *oauth2.Token, asked []string) []string {
	if s, _ := tok.Extra("scope").(string); strings.TrimSpace(s) != "" {
		return strings.Fields(s)
	}
	return append([]string{}, asked...) // [] rather than null in JSON
}

// whoamiAnswer is GET /_matrix/client/v3/account/whoami.
type whoamiAnswer struct {
	UserID   string `json:"user_id"`
	DeviceID string `json:"device_id"`
	IsGuest  bool   `json:"is_guest"`
}

// whoami asks the homeserver who the token belongs to (spec v1.15, after
// the token exchange: the OAuth server's subject is not the Matrix user).
func (c *Client) whoami(ctx context.Context, base, token string, insecure bool) (*whoamiAnswer, error) {
	const op = "whoami"
	resp, err := c.do(ctx, signin.Request{Op: op, URL: base + "/_matrix/client/v3/account/whoami", Bearer: token, Insecure: insecure})
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return nil, autherr.FromReply(op, autherr.Classify(resp.Status, resp.Body, autherr.TokenExchangeFailed), resp.Status, resp.Body)
	}
	var w whoamiAnswer
	if err := signin.DecodeJSON(op, resp, &w, autherr.TokenExchangeFailed); err != nil {
		return nil, err
	}
	if _, err := signin.UserServerName(w.UserID); err != nil {
		return nil, &autherr.Error{Code: autherr.TokenExchangeFailed, Op: op, Details: map[string]string{"reason": "user_id_invalid"},
			Err: fmt.Errorf("whoami answered no valid user_id: %v", err)}
	}
	return &w, nil
}
