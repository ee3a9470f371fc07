package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// Logout revokes the refresh token, then the access token of session s
// (nil: the current one) with client_id, which MAS requires of public
// clients (RFC 7009 §2.1, spec v1.15 "Logout", MSC4254), and forgets s even
// when that fails: the error (the failure's Code) then has Details
// "sessionForgotten" ("true"), "refreshToken" and "accessToken" ("revoked",
// "failed", "not revoked" or "none") beside the failure's own ("reason":
// "redirect_refused": the token was not sent on).
func (c *Client) Logout(ctx context.Context, s *Session) error {
	const op = "logout"
	c.init()
	if s == nil {
		var err error
		if s, err = c.Session(ctx); err != nil {
			return err
		}
		if s == nil {
			return nil
		}
	}
	id := s.ID()
	// Take the refresh lock so a refresh running now cannot write the
	// session back after it is gone; and use the newest stored tokens.
	unlock, lockErr := c.locker().Lock(ctx, "refresh/"+id)
	if lockErr == nil {
		defer unlock()
		if stored, err := c.loadSession(ctx, id); err == nil && stored != nil {
			s = stored
		}
	}

	if s.Kind == signin.KindLegacy {
		return c.logoutLegacy(ctx, s)
	}
	details := map[string]string{"refreshToken": "none", "accessToken": "none"}
	var first *autherr.Error
	revoke := func(token, hint, detail string) {
		if token == "" {
			return
		}
		if first != nil && unreachable(first.Code) {
			// The server is unreachable or failing: do not wait twice.
			details[detail] = "not revoked"
			return
		}
		if s.RevocationEndpoint == "" {
			// Discovery accepts a server without revocation (the login
			// does not need it); sign-out still forgets the session here
			// and says the tokens live on until they expire.
			details[detail] = "not revoked"
			if first == nil {
				first = signin.MetadataError("revoke", "revocation_endpoint", "missing: the server cannot be told to end the session; its tokens stay valid until they expire")
				first.Details["reason"] = "missing"
			}
			return
		}
		if err := c.revoke(ctx, s, token, hint); err != nil {
			details[detail] = "failed"
			if first == nil {
				first = autherr.Wrap(autherr.Network, op, err)
			}
			return
		}
		details[detail] = "revoked"
	}
	revoke(s.RefreshToken, "refresh_token", "refreshToken")
	revoke(s.AccessToken, "access_token", "accessToken")

	forgetErr := c.endSession(ctx, s)
	if first == nil && forgetErr == nil {
		return nil
	}
	if first == nil {
		return forgetErr
	}
	e := *first
	e.Op = op
	// Keep what the failure said of itself (reason "redirect_refused",
	// the url), under the revocation's own facts.
	for k, v := range first.Details {
		if _, ok := details[k]; !ok {
			details[k] = v
		}
	}
	e.Details = details
	if forgetErr == nil {
		details["sessionForgotten"] = "true"
	} else {
		details["sessionForgotten"] = "false"
	}
	return &e
}

// revoke sends one RFC 7009 revocation request. 200 means revoked or
// already invalid (§2.2).
func (c *Client) revoke(ctx context.Context, s *Session, token, hint string) error {
	const op = "revoke"
	form := url.Values{"token": {token}, "token_type_hint": {hint}, "client_id": {s.ClientID}}
	resp, err := c.do(ctx, signin.Request{Op: op, Method: http.MethodPost, URL: s.RevocationEndpoint, Form: form, Insecure: s.Insecure})
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		// A refusal (invalid_client, unauthorized_client, invalid_request)
		// is forbidden, with the server's error kept.
		return withoutSecrets(autherr.FromReply(op, autherr.Classify(resp.Status, resp.Body, autherr.Forbidden), resp.Status, resp.Body), s.RefreshToken, s.AccessToken)
	}
	return nil
}

// withoutSecrets blanks secrets out of the server's words an error keeps
// (errcode, message): a server that echoes the token it was sent into its
// error_description would otherwise hand it to whoever reads the error,
// in a browser any script on the page (issue 12: the refresh token never
// leaves the library, not in errors either). It edits the *autherr.Error
// in err, made fresh for this failure.
func withoutSecrets(err error, secrets ...string) error {
	var ae *autherr.Error
	if !errors.As(err, &ae) {
		return err
	}
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		ae.Message = strings.ReplaceAll(ae.Message, sec, "[token]")
		ae.Errcode = strings.ReplaceAll(ae.Errcode, sec, "[token]")
	}
	return err
}

// unreachable reports the codes that mean the server cannot be talked to
// right now, so a second revocation would only wait again.
func unreachable(code autherr.Code) bool {
	switch code {
	case autherr.Network, autherr.Timeout, autherr.ServerError, autherr.RateLimited:
		return true
	}
	return false
}
