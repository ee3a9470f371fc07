package auth

import (
	"context"
	"crypto/subtle"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// verifyIDToken checks an ID token with go-oidc against the Matrix auth
// metadata (OpenID Connect Core §3.1.3.7): signature by the server's JWKS,
// iss, aud (our client id), exp, then nonce (§3.1.3.7 step 11) and, when the
// token carries at_hash, the access token (§3.1.3.8). It returns the
// claims.
func (c *Client) verifyIDToken(ctx context.Context, rec *pendingRecord, raw, accessToken string) (map[string]any, error) {
	const op = "id token"
	fail := func(format string, args ...any) error {
		return &autherr.Error{Code: autherr.IDTokenInvalid, Op: op, Err: fmt.Errorf(format, args...)}
	}
	o := rec.OAuth
	if o.JWKSURI == "" {
		return nil, fail("the server returned an ID token but lists no jwks_uri to check it with")
	}
	if err := serverrule.CheckURL(o.JWKSURI, rec.Insecure); err != nil {
		return nil, fail("jwks_uri: %v", err)
	}
	vctx, cancel := c.tokenContext(ctx, rec.Insecure)
	defer cancel()
	provider := (&oidc.ProviderConfig{
		IssuerURL:   o.Issuer,
		AuthURL:     o.AuthorizationEndpoint,
		TokenURL:    o.TokenEndpoint,
		UserInfoURL: o.UserinfoEndpoint,
		JWKSURL:     o.JWKSURI,
		Algorithms:  o.IDTokenSigningAlgValues,
	}).NewProvider(vctx)
	verifier := provider.VerifierContext(vctx, &oidc.Config{ClientID: rec.ClientID, Now: c.now})
	tok, err := verifier.Verify(vctx, raw)
	if err != nil {
		if vctx.Err() != nil {
			return nil, autherr.FromContext(op, vctx.Err())
		}
		return nil, fail("%v", err)
	}
	if rec.Nonce != "" && subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(rec.Nonce)) != 1 {
		return nil, fail("nonce does not match the one this login sent")
	}
	if tok.AccessTokenHash != "" {
		if err := tok.VerifyAccessToken(accessToken); err != nil {
			return nil, fail("at_hash: %v", err)
		}
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, fail("claims: %v", err)
	}
	return claims, nil
}
