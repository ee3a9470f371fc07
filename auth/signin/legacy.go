package signin

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// Homeservers that have not moved to OAuth 2.0 (no auth metadata on any
// path) but offer m.login.sso — Synapse with OIDC or SAML providers, and
// others — are signed in to through the legacy SSO route (spec v1.1+
// "Client login via SSO"; issue 16):
//
//  1. StartLogin sends the browser to
//     {base}/_matrix/client/v3/login/sso/redirect[/{idpId}]?redirectUrl=…,
//     where redirectUrl is the page's own redirect URI with this login's
//     state added to its query;
//  2. the homeserver (after its identity provider) sends the browser back
//     to redirectUrl with a loginToken query parameter;
//  3. package auth's CompleteLogin finds the pending login by that state
//     (a loginToken without a pending legacy login of that state is
//     refused) and redeems the token with POST {base}/_matrix/client/v3/login
//     {"type": "m.login.token", "refresh_token": true, …} at the base URL
//     the login was started for — never at a server named by the callback.
//
// The state in redirectUrl does what OAuth 2.0's state does (RFC 6749
// §10.12): an answer this browser did not ask for (login CSRF, a token
// of someone else's account planted by a link) finds no pending login.

// KindLegacy is PendingRecord.Kind (and package auth's Session.Kind) of a
// login through the legacy SSO route, completed with m.login.token.
const KindLegacy = "legacy"

// IdentityProvider is one entry of an m.login.sso flow's
// identity_providers (spec v1.1+, GET /login).
type IdentityProvider struct {
	// ID is opaque, 1–255 RFC 3986 unreserved characters (the spec's
	// rule; an id breaking it is dropped, so it can go into a path as is).
	ID string `json:"id"`
	// Name is the provider's display name, clipped to 100 bytes.
	Name string `json:"name"`
	// Icon is an mxc:// URI, when the server gave one.
	Icon string `json:"icon,omitempty"`
	// Brand is the server's brand hint ("github", "google", …), when given.
	Brand string `json:"brand,omitempty"`
}

// ProviderButton is one identity provider's sign-in button (Hints.Providers).
type ProviderButton struct {
	// IDP is the provider's id, LoginOptions.IDP of the login it starts.
	IDP   string `json:"idp"`
	Name  string `json:"name"`
	Icon  string `json:"icon,omitempty"`
	Label string `json:"label"` // "Continue with <name>"
}

// maxIdentityProviders bounds how many providers a /login answer may list
// (buttons for a person to read; Synapse servers list a handful).
const maxIdentityProviders = 32

// parseIdentityProviders reads an identity_providers value. Entries that
// are not objects, or have no valid id or no name, are skipped; a
// duplicate id keeps its first entry. Never nil for a list given, so that
// a flow without providers is told from one with none usable.
func parseIdentityProviders(raw json.RawMessage) []IdentityProvider {
	var list []json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &list) != nil {
		return nil
	}
	out := []IdentityProvider{}
	for _, item := range list {
		if len(out) == maxIdentityProviders {
			break
		}
		var p struct {
			ID    string `json:"id"`
			Name  string `json:"name"`
			Icon  string `json:"icon"`
			Brand string `json:"brand"`
		}
		if json.Unmarshal(item, &p) != nil || !ValidIDPID(p.ID) || slices.ContainsFunc(out, func(q IdentityProvider) bool { return q.ID == p.ID }) {
			continue
		}
		name := displayText(p.Name, 100)
		if name == "" {
			continue
		}
		idp := IdentityProvider{ID: p.ID, Name: name, Brand: displayText(p.Brand, 64)}
		if validMXC(p.Icon) {
			idp.Icon = p.Icon
		}
		out = append(out, idp)
	}
	return out
}

// ValidIDPID reports whether id is an identity provider id by the spec's
// rule: 1 to 255 characters, RFC 3986 unreserved (A-Z a-z 0-9 - . _ ~).
func ValidIDPID(id string) bool {
	return len(id) >= 1 && len(id) <= 255 && id != "." && id != ".." && allIn(id, "-._~")
}

// validMXC accepts mxc://<server name>/<media id> with the media id of
// the spec's rule ([A-Za-z0-9_-]) and a server name of printable ASCII.
func validMXC(s string) bool {
	rest, ok := strings.CutPrefix(s, "mxc://")
	if !ok || len(s) > 255 {
		return false
	}
	server, media, ok := strings.Cut(rest, "/")
	if !ok || server == "" || media == "" || !allIn(media, "-_") {
		return false
	}
	for i := 0; i < len(server); i++ {
		if server[i] <= ' ' || server[i] >= 0x7f || strings.IndexByte("/?#@", server[i]) >= 0 {
			return false
		}
	}
	return true
}

// displayText trims s, drops control and format characters (no bidi
// override can reach a button) and clips it to n bytes.
func displayText(s string, n int) string {
	if !utf8.ValidString(s) {
		return ""
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff {
			return -1
		}
		return r
	}, s)
	return ClipText(strings.TrimSpace(s), n)
}

// LegacySSO reports whether a login to info goes the legacy SSO route: the
// server has no auth metadata and its GET /login offers m.login.sso.
// (oauth_aware_preferred with auth metadata is the OAuth route.)
func LegacySSO(info *ServerInfo) bool {
	return info != nil && info.OAuth == nil && info.Login != nil && slices.Contains(info.Login.Flows, "m.login.sso")
}

// startLegacy is StartLogin's legacy SSO route (see KindLegacy): it
// stores the pending login and returns the SSO redirect URL.
func (c *Client) startLegacy(ctx context.Context, op string, info *ServerInfo, nameResolved bool, opts LoginOptions) (*PendingLogin, error) {
	if err := serverrule.CheckURL(info.BaseURL, info.Insecure); err != nil {
		return nil, autherr.New(autherr.InvalidInput, op, "server.baseUrl: %v", err)
	}
	redirect, err := CanonicalRedirectURI(opts.RedirectURI)
	if err != nil {
		return nil, err
	}
	ru, _ := url.Parse(redirect)
	if ru.Query().Has("state") || ru.Query().Has("loginToken") {
		return nil, autherr.New(autherr.InvalidInput, op, "redirect URI %q must not carry state or loginToken: the sign-in adds them", serverrule.ClipURL(redirect))
	}
	switch opts.Action {
	case "", ActionLogin, ActionRegister:
	default:
		return nil, autherr.New(autherr.InvalidInput, op, "action %q is not login or register", opts.Action)
	}
	path := "/_matrix/client/v3/login/sso/redirect"
	if opts.IDP != "" {
		// The id goes into the path: only the spec's characters, and only
		// a provider the server listed (when it listed any).
		listed := info.Login.IdentityProviders
		if !ValidIDPID(opts.IDP) || len(listed) > 0 && !slices.ContainsFunc(listed, func(p IdentityProvider) bool { return p.ID == opts.IDP }) {
			return nil, autherr.New(autherr.InvalidInput, op, "identity provider %q is not one %s lists", ClipText(opts.IDP, 64), info.ServerName)
		}
		path += "/" + opts.IDP
	}
	appState, err := compactAppState(op, opts.State)
	if err != nil {
		return nil, err
	}
	// The homeserver issues the tokens: its base URL stands in for the
	// issuer of the same-device record (and of the session's ID).
	deviceID, err := c.loginDeviceID(ctx, op, info.BaseURL, opts)
	if err != nil {
		return nil, err
	}
	state, err := c.RandomString(32)
	if err != nil {
		return nil, err
	}
	q := ru.Query()
	q.Set("state", state)
	ru.RawQuery = q.Encode()
	back := ru.String()

	params := url.Values{"redirectUrl": {back}}
	action := opts.Action
	if action == "" {
		action = ActionLogin
	}
	// action (spec v1.18) says which button was used; servers that predate
	// it ignore it. The MSC3824 name goes to OAuth-aware servers, which
	// may read only it.
	params.Set("action", string(action))
	if info.Login.OAuthAwarePreferred {
		params.Set("org.matrix.msc3824.action", string(action))
	}
	ssoURL := info.BaseURL + path + "?" + params.Encode()

	now := c.now()
	rec := PendingRecord{
		Kind: KindLegacy, State: state, DeviceID: deviceID, RedirectURI: back,
		ServerName: info.ServerName, BaseURL: info.BaseURL, Insecure: info.Insecure,
		NameResolved: nameResolved, AppState: appState, DeviceName: displayText(opts.Client.Name, 100),
		CreatedAt: now, ExpiresAt: now.Add(c.pendingTTL()),
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, &autherr.Error{Code: autherr.Storage, Op: op, Err: err}
	}
	c.sweepPending(ctx)
	// Sealed as an OAuth pending login is: CompleteLogin reads it with
	// GetSecret, which deletes a plain value under a Sealer.
	if err := c.PutSecret(ctx, PendingPrefix+state, b); err != nil {
		return nil, storageError(op, err)
	}
	return &PendingLogin{URL: ssoURL, State: state, DeviceID: deviceID, RedirectURI: back, ExpiresAt: rec.ExpiresAt}, nil
}
