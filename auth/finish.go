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
	if !tok.Expiry.IsZero() {
		s.ExpiresAt = tok.Expiry.UnixMilli()
	}
	s.LifetimeMs = tokenLifetimeMs(tok)
	if v := tok.Extra("id_token"); v != nil {
		// An id_token that is not a string is not silently skipped: the
		// server meant to send one (OpenID Connect Core §3.1.3.3).
		raw, ok := v.(string)
		if !ok {
			return nil, &autherr.Error{Code: autherr.IDTokenInvalid, Op: "id token", Err: fmt.Errorf("id_token is a %T, not a JWT", v)}
		}
		if raw != "" {
			claims, err := c.verifyIDToken(ctx, rec, raw, tok.AccessToken)
			if err != nil {
				return nil, err
			}
			s.IDTokenClaims = claims
		}
	}
	who, err := c.whoami(ctx, s.BaseURL, s.AccessToken, s.Insecure)
	if err != nil {
		return nil, err
	}
	if who.DeviceID != "" && who.DeviceID != rec.DeviceID {
		return nil, &autherr.Error{Code: autherr.TokenExchangeFailed, Op: op,
			Err: fmt.Errorf("the token belongs to device %q, not the requested %q", who.DeviceID, rec.DeviceID)}
	}
	// A server vouches only for its own users (the user id's server name
	// is the one the login went to, or resolves to the same base URL).
	name, err := c.checkUserServer(ctx, rec, who.UserID)
	if err != nil {
		return nil, err
	}
	s.UserID, s.ServerName = who.UserID, name
	if err := c.saveSession(ctx, s); err != nil {
		return nil, err
	}
	if err := c.store.Put(ctx, currentSessionKey, []byte(s.ID())); err != nil {
		return nil, storageError(op, err)
	}
	// The remembered device of an ended session is live again, or went to
	// another user (signin.LastDevicePrefix): forget it.
	_ = c.core.DeviceUsed(ctx, s.Issuer, s.DeviceID)
	return s, nil
}
