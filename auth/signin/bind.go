package signin

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// A homeserver's auth metadata names an issuer and endpoints. Nothing but
// the homeserver vouches for them, so a hostile homeserver could name an
// honest issuer and authorization endpoint (the person sees the real
// sign-in page) beside its own token endpoint, and collect the code and
// verifier (the OAuth mix-up, RFC 9207 §1, RFC 9700 §4.4). The endpoints
// that receive a secret are therefore bound to the issuer: on the issuer's
// origin, or confirmed by the issuer's own metadata.

// secretEndpoints are the metadata endpoints mxauth sends a secret to, or
// takes keys from: the code and verifier and the refresh token (token),
// the client metadata whose client id later travels with them
// (registration), both tokens (revocation), the keys that vouch for ID
// tokens (jwks_uri) and the device code request (device authorization).
func secretEndpoints(o *OAuthInfo) []struct{ name, val string } {
	return []struct{ name, val string }{
		{"token_endpoint", o.TokenEndpoint},
		{"registration_endpoint", o.RegistrationEndpoint},
		{"revocation_endpoint", o.RevocationEndpoint},
		{"jwks_uri", o.JWKSURI},
		{"device_authorization_endpoint", o.DeviceAuthorizationEndpoint},
	}
}

// OriginOf is scheme://host[:port] of raw in lower case, without the
// scheme's default port (RFC 6454 §4), or "" when raw is not a URL.
func OriginOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(scheme == "https" && p == "443" || scheme == "http" && p == "80") {
		host += ":" + p
	}
	return scheme + "://" + host
}

// bindToIssuer holds o to its issuer. When every endpoint that receives a
// secret is on the issuer's origin (MAS, and most servers) it costs no
// request; otherwise the issuer's own metadata is fetched and every
// endpoint o names must be the issuer's. A failure is metadata_invalid
// naming the field.
func (d *discovery) bindToIssuer(ctx context.Context, o *OAuthInfo) error {
	const op = "issuer binding"
	issuerOrigin := OriginOf(o.Issuer)
	off := ""
	for _, e := range secretEndpoints(o) {
		if e.val != "" && OriginOf(e.val) != issuerOrigin {
			off = e.name
			break
		}
	}
	if off == "" {
		return nil
	}
	own, err := d.issuerMetadata(ctx, o.Issuer)
	if err != nil {
		return MetadataError(op, off, "is not on the issuer's origin %s, and the issuer's own metadata could not confirm it: %w", issuerOrigin, err)
	}
	claimed := append(secretEndpoints(o), struct{ name, val string }{"authorization_endpoint", o.AuthorizationEndpoint})
	owned := append(secretEndpoints(own), struct{ name, val string }{"authorization_endpoint", own.AuthorizationEndpoint})
	for i, e := range claimed {
		if e.val != "" && e.val != owned[i].val {
			return MetadataError(op, e.name, "%q is not the issuer's: %s names %q", serverrule.ClipURL(e.val), o.Issuer, serverrule.ClipURL(owned[i].val))
		}
	}
	return nil
}

// checkServerInfo re-validates a ServerInfo handed in by the caller (kept
// across a reload, passed from page code, or built by hand) as a fresh
// discovery would: the server name's grammar, every URL, and the binding
// of the endpoints to the issuer whatever Source it claims.
func (c *Client) checkServerInfo(ctx context.Context, info *ServerInfo) error {
	const op = "start login"
	if _, err := serverrule.ParseName(info.ServerName); err != nil {
		return autherr.New(autherr.InvalidInput, op, "server.serverName: %v", errors.Unwrap(err))
	}
	if _, err := serverrule.BaseURL(info.BaseURL, info.Insecure); err != nil {
		return autherr.New(autherr.InvalidInput, op, "server.baseUrl: %v", err)
	}
	o := info.OAuth
	if o == nil {
		return nil
	}
	if o.Issuer == "" {
		return MetadataError(op, "issuer", "missing")
	}
	if err := checkOAuthURLs(op, o, info.Insecure); err != nil {
		return err
	}
	d := &discovery{c: c, t: target{serverName: info.ServerName, insecure: info.Insecure}}
	d.maxAge, d.swr = -1, -1
	return d.bindToIssuer(ctx, o)
}

// UserServerName checks id against the spec's user id grammar (appendices,
// "User Identifiers"): "@", a localpart of the historical characters
// clients must still accept (U+0021–U+0039, U+003B–U+007E: printable ASCII
// but ":"), ":", a server name; 255 bytes at most. No space, control or
// bidi character can pass, so what the UI shows is what the server said.
// It returns the server name in lower case.
func UserServerName(id string) (string, error) {
	if len(id) > 255 {
		return "", fmt.Errorf("user id longer than 255 bytes")
	}
	if !strings.HasPrefix(id, "@") {
		return "", fmt.Errorf("user id %q does not start with @", ClipText(id, 64))
	}
	i := strings.IndexByte(id, ':')
	if i < 2 {
		return "", fmt.Errorf("user id %q has no localpart or no server name", ClipText(id, 64))
	}
	for j := 1; j < i; j++ {
		if b := id[j]; b < 0x21 || b > 0x7e {
			return "", fmt.Errorf("user id %q: byte %#x is not allowed in a localpart", ClipText(id, 64), b)
		}
	}
	name := id[i+1:]
	if _, err := serverrule.ParseName(name); err != nil {
		return "", fmt.Errorf("user id %q: %v", ClipText(id, 64), errors.Unwrap(err))
	}
	return strings.ToLower(name), nil
}

// CheckUserServer holds the user id whoami answered to the server the
// login went to: its server name must be the one the person named, or,
// when that is not known (a typed base URL, a ServerInfo handed in), must
// resolve as discovery does (cached) to the same base URL. It returns the
// user's server name.
func (c *Client) CheckUserServer(ctx context.Context, rec *PendingRecord, userID string) (string, error) {
	const op = "whoami"
	fail := func(reason, format string, args ...any) (string, error) {
		return "", &autherr.Error{Code: autherr.TokenExchangeFailed, Op: op,
			Details: map[string]string{"reason": reason}, Err: fmt.Errorf(format, args...)}
	}
	name, err := UserServerName(userID)
	if err != nil {
		return fail("user_id_invalid", "whoami answered no valid user id: %v", err)
	}
	if rec.NameResolved && name == strings.ToLower(rec.ServerName) {
		return name, nil
	}
	info, err := c.Discover(ctx, name)
	if err != nil {
		return fail("user_id_not_of_this_server", "%s answered user id %q, and %s could not be resolved to check it: %v", HostOf(rec.BaseURL), userID, name, err)
	}
	if info.BaseURL != rec.BaseURL {
		return fail("user_id_not_of_this_server", "%s answered user id %q, but %s is served from %s", HostOf(rec.BaseURL), userID, name, HostOf(info.BaseURL))
	}
	return name, nil
}
