package auth

import (
	"context"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/mxauth/mxauth/auth/autherr"
)

// finishLogin turns the token answer of a login (the code exchange of
// CompleteLogin, the device grant of WaitDeviceLogin) into the stored,
// current Session: it verifies the ID token when one came back, asks whoami
// who signed in (the OAuth subject is not the Matrix user, spec v1.15) and
// checks the token is bound to the requested device.
func (c *Client) finishLogin(ctx context.Context, op string, rec *pendingRecord, tok *oauth2.Token) (*Session, error) {
	s := &Session{
		Kind:                     rec.Kind,
		DeviceID:                 rec.DeviceID,
		ServerName:               rec.ServerName,
		BaseURL:                  rec.BaseURL,
		Issuer:                   rec.OAuth.Issuer,
		ClientID:                 rec.ClientID,
		Scope:                    grantedScopes(tok, rec.Scopes),
		AccessToken:              tok.AccessToken,
		RefreshToken:             tok.RefreshToken,
		TokenEndpoint:            rec.OAuth.TokenEndpoint,
		RevocationEndpoint:       rec.OAuth.RevocationEndpoint,
		AccountManagementURI:     rec.OAuth.AccountManagementURI,
		AccountManagementActions: rec.OAuth.AccountManagementActions,
		Insecure:                 rec.Insecure,
	}
	s.ExpiresAt, s.Lifetime = toMillisecond(tok.Expiry), tokenLifetime(tok)
	claims, err := c.idTokenClaims(ctx, rec, tok)
	if err != nil {
		return nil, err
	}
	s.IDTokenClaims = claims
	if s.UserID, s.ServerName, err = c.whoSignedIn(ctx, op, rec, s.AccessToken); err != nil {
		return nil, err
	}
	if err := c.storeCurrent(ctx, op, s); err != nil {
		return nil, err
	}
	return s, nil
}

// idTokenClaims verifies the ID token of the answer, when one came back.
// An id_token that is not a string is not silently skipped: the server
// meant to send one (OpenID Connect Core §3.1.3.3).
func (c *Client) idTokenClaims(ctx context.Context, rec *pendingRecord, tok *oauth2.Token) (map[string]any, error) {
	v := tok.Extra("id_token")
	if v == nil {
		return nil, nil
	}
	raw, ok := v.(string)
	if !ok {
		return nil, &autherr.Error{Code: autherr.IDTokenInvalid, Op: "id token", Err: fmt.Errorf("id_token is a %T, not a JWT", v)}
	}
	if raw == "" {
		return nil, nil
	}
	return c.verifyIDToken(ctx, rec, raw, tok.AccessToken)
}

// whoSignedIn asks whoami who the access token belongs to (the OAuth
// subject is not the Matrix user, spec v1.15), checks it is bound to the
// requested device, and that the server vouches only for its own users
// (the user id's server name is the one the login went to, or resolves to
// the same base URL). It returns the user id and its server name.
func (c *Client) whoSignedIn(ctx context.Context, op string, rec *pendingRecord, accessToken string) (userID, serverName string, err error) {
	who, err := c.whoami(ctx, rec.BaseURL, accessToken, rec.Insecure)
	if err != nil {
		return "", "", err
	}
	if who.DeviceID != "" && who.DeviceID != rec.DeviceID {
		return "", "", &autherr.Error{Code: autherr.TokenExchangeFailed, Op: op,
			Err: fmt.Errorf("the token belongs to device %q, not the requested %q", who.DeviceID, rec.DeviceID)}
	}
	name, err := c.checkUserServer(ctx, rec, who.UserID)
	if err != nil {
		return "", "", err
	}
	return who.UserID, name, nil
}

// storeCurrent stores s and marks it the current session, then hands its
// access token to AccessTokens (after both writes, so another tab that
// hears of it reads the new current session).
func (c *Client) storeCurrent(ctx context.Context, op string, s *Session) error {
	if err := c.saveSession(ctx, s); err != nil {
		return err
	}
	if err := c.store.Put(ctx, currentSessionKey, []byte(s.ID())); err != nil {
		return storageError(op, err)
	}
	c.kept(s)
	// The remembered device of an ended session is live again, or went to
	// another user (signin.LastDevicePrefix): forget it.
	_ = c.core.DeviceUsed(ctx, s.Issuer, s.DeviceID)
	return nil
}
