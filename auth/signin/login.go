package signin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// Scope is an OAuth 2.0 scope token (RFC 6749 §3.3).
type Scope string

// Matrix scopes (MSC2967, spec v1.15 "Scopes"). The unstable forms are for
// servers that predate the stable ones; a request never mixes the two (MAS
// refuses it).
const (
	ScopeOpenID            Scope = "openid"
	ScopeClientAPI         Scope = "urn:matrix:client:api:*"
	ScopeClientAPIUnstable Scope = "urn:matrix:org.matrix.msc2967.client:api:*"

	scopeDevicePrefix         = "urn:matrix:client:device:"
	scopeDevicePrefixUnstable = "urn:matrix:org.matrix.msc2967.client:device:"
)

// DeviceScope is the scope that binds the tokens to device id.
func DeviceScope(id string) Scope { return Scope(scopeDevicePrefix + id) }

// DeviceScopeUnstable is DeviceScope's MSC2967 unstable form.
func DeviceScopeUnstable(id string) Scope { return Scope(scopeDevicePrefixUnstable + id) }

// ResponseMode is how the authorization answer comes back (OAuth 2.0
// Multiple Response Type Encoding Practices §2).
type ResponseMode string

// Response modes a login may ask for.
const (
	ResponseModeFragment ResponseMode = "fragment"
	ResponseModeQuery    ResponseMode = "query"
)

// Action is what a login is for (MSC2964 prompt=create; CONTRACT.md
// startLogin action).
type Action string

// Login actions.
const (
	ActionLogin    Action = "login"
	ActionRegister Action = "register"
)

// LoginOptions are the options of StartLogin; they mirror CONTRACT.md's
// startLogin opts.
type LoginOptions struct {
	// Server names the homeserver as Discover reads it ("matrix.org",
	// "@alice:example.org", a URL). Ignored when ServerInfo is set.
	Server string `json:"server,omitempty"`
	// ServerInfo is a discovery result to use as it is.
	ServerInfo *ServerInfo `json:"serverInfo,omitempty"`
	// RedirectURI is where the OAuth server sends the browser back. It is
	// used byte for byte at registration, authorization and token exchange.
	RedirectURI string `json:"redirectUri"`
	// Client describes the application for dynamic registration.
	Client ClientMetadata `json:"client"`
	// ClientID is a pre-registered client id; no registration happens then.
	ClientID string `json:"clientId,omitempty"`
	// Action is "login" (default) or "register". register sends prompt=create
	// when the server lists it in prompt_values_supported.
	Action Action `json:"action,omitempty"`
	// DeviceID asks for this device id (at least 10 characters). Empty
	// asks for the device of the last session of this server that ended on
	// this Store (signed out, or expired), unless LoginHint names someone
	// else, and else for a new one; "new" (DeviceIDNew) always asks for a
	// new one (see LastDevicePrefix for the whole rule). An id still in use
	// by a live session is shared with it: MAS deletes the device when
	// either session ends.
	DeviceID string `json:"deviceId,omitempty"`
	// LoginHint pre-fills the user: "@alice:example.org" is sent as MAS's
	// "mxid:@alice:example.org"; other values are sent as they are.
	LoginHint string `json:"loginHint,omitempty"`
	// UILocales are the preferred languages of the login pages (BCP 47).
	UILocales []string `json:"uiLocales,omitempty"`
	// ResponseMode is "fragment" (default; keeps the code out of server
	// logs, the spec's advice for web clients) or "query".
	ResponseMode ResponseMode `json:"responseMode,omitempty"`
	// State is the application's own state (a deep link, a returnTo): any
	// JSON value of at most MaxAppState bytes, kept with the pending login
	// in the Store — never in the URL, never sent to a server — and handed
	// back by the completion of this login. It is the page's data: a
	// returnTo in it is the page's to check (same origin, an allow-list)
	// before it navigates there.
	State json.RawMessage `json:"state,omitempty"`
	// IDP is the identity provider of a legacy SSO login (the id of one of
	// LoginInfo.IdentityProviders): the redirect goes to
	// /login/sso/redirect/{idp}. Empty lets the server ask. Ignored when
	// the server has auth metadata (the OAuth route).
	IDP string `json:"idp,omitempty"`
}

// MaxAppState bounds LoginOptions.State: enough for a route and its
// parameters, small enough that a pending login stays a small record.
const MaxAppState = 8 << 10

// PendingLogin is a started login: open URL in a browser, then pass the URL
// the browser comes back to to CompleteLogin. The secret parts (PKCE
// verifier, nonce) stay in the Store under State.
type PendingLogin struct {
	URL         string    `json:"url"`
	State       string    `json:"state"`
	DeviceID    string    `json:"deviceId"`
	ClientID    string    `json:"clientId"`
	RedirectURI string    `json:"redirectUri"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

// PendingRecord is what the Store holds under "pending/<state>": everything
// CompleteLogin needs, so a login survives a page reload or a restart. Both
// builds read and write it; its JSON names are the stored format.
type PendingRecord struct {
	// Kind is KindLegacy for a legacy SSO login (completed with
	// m.login.token), "" for the OAuth 2.0 authorization code login.
	Kind            string   `json:"kind,omitempty"`
	State           string   `json:"state"`
	Verifier        string   `json:"verifier"`
	Nonce           string   `json:"nonce,omitempty"`
	DeviceID        string   `json:"deviceId"`
	ClientID        string   `json:"clientId"`
	RegistrationKey string   `json:"registrationKey,omitempty"`
	RedirectURI     string   `json:"redirectUri"`
	Scopes          []string `json:"scopes"`
	ServerName      string   `json:"serverName"`
	BaseURL         string   `json:"baseUrl"`
	Insecure        bool     `json:"insecure,omitempty"`
	// NameResolved: ServerName is a server name this login discovered
	// itself (not a typed URL's host, not a ServerInfo handed in), so a
	// user id of that server needs no second resolution.
	NameResolved bool      `json:"nameResolved,omitempty"`
	OAuth        OAuthInfo `json:"oauth"`
	// AppState is LoginOptions.State, compacted.
	AppState json.RawMessage `json:"appState,omitempty"`
	// DeviceName is the initial_device_display_name of a legacy login.
	DeviceName string    `json:"deviceName,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// PendingPrefix is the Store key prefix of pending logins.
const PendingPrefix = "pending/"

// StartLogin begins an authorization code login with PKCE (RFC 6749 §4.1,
// RFC 7636; spec v1.15 "Login flow"): it finds the server (unless
// opts.ServerInfo is given), registers the client or uses a configured
// client id, makes the PKCE verifier, state, nonce and device id, stores the
// pending login and returns the authorization URL.
func (c *Client) StartLogin(ctx context.Context, opts LoginOptions) (*PendingLogin, error) {
	const op = "start login"
	c.init()
	info, nameResolved, err := c.loginServer(ctx, op, opts.Server, opts.ServerInfo, true)
	if err != nil {
		return nil, err
	}
	if info.OAuth == nil {
		return c.startLegacy(ctx, op, info, nameResolved, opts)
	}
	req, err := checkLoginRequest(op, info, opts)
	if err != nil {
		return nil, err
	}
	o := info.OAuth
	deviceID, err := c.loginDeviceID(ctx, op, o.Issuer, opts)
	if err != nil {
		return nil, err
	}
	clientID, regKey, err := c.loginClientID(ctx, info, opts, req.redirect)
	if err != nil {
		return nil, err
	}
	scopes := LoginScopes(info, deviceID)
	sec, err := c.loginSecrets(slices.Contains(scopes, string(ScopeOpenID)))
	if err != nil {
		return nil, err
	}
	authURL := authorizationURL(o, opts, req, clientID, scopes, sec)

	now := c.now()
	rec := PendingRecord{
		State: sec.state, Verifier: sec.verifier, Nonce: sec.nonce, DeviceID: deviceID,
		ClientID: clientID, RegistrationKey: regKey, RedirectURI: req.redirect, Scopes: scopes,
		ServerName: info.ServerName, BaseURL: info.BaseURL, Insecure: info.Insecure,
		NameResolved: nameResolved, OAuth: *o, AppState: req.appState, CreatedAt: now, ExpiresAt: now.Add(c.pendingTTL()),
	}
	if err := c.savePending(ctx, op, &rec); err != nil {
		return nil, err
	}
	return &PendingLogin{URL: authURL, State: sec.state, DeviceID: deviceID, ClientID: clientID, RedirectURI: req.redirect, ExpiresAt: rec.ExpiresAt}, nil
}

// loginRequest is what StartLogin takes from the caller's options once
// they are checked.
type loginRequest struct {
	redirect string
	mode     ResponseMode
	appState json.RawMessage
}

// checkLoginRequest refuses, before any request, a login the server's
// metadata cannot serve (no usable authorization or token endpoint, a
// response mode it does not list) or the caller's options do not describe.
func checkLoginRequest(op string, info *ServerInfo, opts LoginOptions) (*loginRequest, error) {
	o := info.OAuth
	for _, u := range []struct{ name, val string }{
		{"authorization_endpoint", o.AuthorizationEndpoint}, {"token_endpoint", o.TokenEndpoint},
	} {
		if u.val == "" {
			return nil, MetadataError(op, u.name, "missing")
		}
		if err := serverrule.CheckURL(u.val, info.Insecure); err != nil {
			return nil, MetadataError(op, u.name, "%v", err)
		}
	}
	redirect, err := CanonicalRedirectURI(opts.RedirectURI)
	if err != nil {
		return nil, err
	}
	mode := opts.ResponseMode
	switch mode {
	case "":
		mode = ResponseModeFragment
	case ResponseModeFragment, ResponseModeQuery:
	default:
		return nil, autherr.New(autherr.InvalidInput, op, "response mode %q is not fragment or query", mode)
	}
	if len(o.ResponseModesSupported) > 0 && !slices.Contains(o.ResponseModesSupported, string(mode)) {
		return nil, MetadataError(op, "response_modes_supported", "does not contain %q", mode)
	}
	switch opts.Action {
	case "", ActionLogin, ActionRegister:
	default:
		return nil, autherr.New(autherr.InvalidInput, op, "action %q is not login or register", opts.Action)
	}
	appState, err := compactAppState(op, opts.State)
	if err != nil {
		return nil, err
	}
	return &loginRequest{redirect: redirect, mode: mode, appState: appState}, nil
}

// loginClientID is the client id of the login: the caller's, else the one
// configured for the issuer, else a dynamic registration's (with the key
// of its cache record).
func (c *Client) loginClientID(ctx context.Context, info *ServerInfo, opts LoginOptions, redirect string) (clientID, regKey string, err error) {
	o := info.OAuth
	clientID = opts.ClientID
	if clientID == "" {
		clientID = c.ClientIDs[o.Issuer]
	}
	if clientID != "" {
		return clientID, "", nil
	}
	return c.RegisterAt(ctx, o, opts.Client, redirect, info.Insecure)
}

// loginSecrets are the one-time values of a login: state (RFC 6749
// §10.12), the OpenID Connect nonce when an ID token is asked for, and the
// PKCE verifier (RFC 7636 §4.1).
type loginSecrets struct {
	state, nonce, verifier string
}

func (c *Client) loginSecrets(withNonce bool) (*loginSecrets, error) {
	var s loginSecrets
	var err error
	if s.state, err = c.RandomString(32); err != nil {
		return nil, err
	}
	if withNonce {
		if s.nonce, err = c.RandomString(32); err != nil {
			return nil, err
		}
	}
	if s.verifier, err = c.newVerifier(); err != nil {
		return nil, err
	}
	return &s, nil
}

// authorizationURL is the authorization request (RFC 6749 §4.1.1) with
// PKCE (RFC 7636 §4.3). The client is public: its id travels in the query.
func authorizationURL(o *OAuthInfo, opts LoginOptions, req *loginRequest, clientID string, scopes []string, sec *loginSecrets) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {req.redirect},
		"scope":                 {strings.Join(scopes, " ")},
		"state":                 {sec.state},
		"code_challenge":        {s256Challenge(sec.verifier)},
		"code_challenge_method": {"S256"},
		// MAS answers in the query when response_mode is omitted, so it
		// is always sent (spec notes §2.3).
		"response_mode": {string(req.mode)},
	}
	if sec.nonce != "" {
		q.Set("nonce", sec.nonce)
	}
	if opts.Action == ActionRegister && slices.Contains(o.PromptValues, "create") {
		// MSC2964 / OpenID Connect prompt=create: show the sign-up page.
		q.Set("prompt", "create")
	}
	if hint := loginHint(opts.LoginHint); hint != "" {
		q.Set("login_hint", hint)
	}
	if len(opts.UILocales) > 0 {
		q.Set("ui_locales", strings.Join(opts.UILocales, " "))
	}
	sep := "?"
	if strings.Contains(o.AuthorizationEndpoint, "?") {
		sep = "&"
	}
	return o.AuthorizationEndpoint + sep + q.Encode()
}

// savePending keeps rec, a secret (the verifier, the nonce), under its
// state, after sweeping expired ones.
func (c *Client) savePending(ctx context.Context, op string, rec *PendingRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return &autherr.Error{Code: autherr.Storage, Op: op, Err: err}
	}
	c.sweepPending(ctx)
	if err := c.PutSecret(ctx, PendingPrefix+rec.State, b); err != nil {
		return storageError(op, err)
	}
	return nil
}

// compactAppState checks the application's state (valid JSON, at most
// MaxAppState bytes once compacted) and compacts it; nil stays nil, and so
// does JSON null (no state).
func compactAppState(op string, raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, autherr.New(autherr.InvalidInput, op, "state is not a JSON value: %v", err)
	}
	if b.Len() > MaxAppState {
		return nil, autherr.New(autherr.InvalidInput, op, "state is %d bytes of JSON, more than %d: keep a key to it instead", b.Len(), MaxAppState)
	}
	if b.String() == "null" {
		return nil, nil
	}
	return json.RawMessage(b.Bytes()), nil
}

// LoginServer is the server a login goes to: info re-checked when the
// caller hands one in, else a discovery of server. nameResolved says the
// login itself resolved a server name (or user id), so a user id of that
// name needs no second resolution at the end.
func (c *Client) LoginServer(ctx context.Context, op, server string, info *ServerInfo) (_ *ServerInfo, nameResolved bool, err error) {
	return c.loginServer(ctx, op, server, info, false)
}

// loginServer is LoginServer; legacy lets a server without auth metadata
// through when its GET /login offers m.login.sso (LegacySSO).
func (c *Client) loginServer(ctx context.Context, op, server string, info *ServerInfo, legacy bool) (_ *ServerInfo, nameResolved bool, err error) {
	handedIn := info != nil
	if !handedIn {
		if server == "" {
			return nil, false, autherr.New(autherr.InvalidInput, op, "no server given")
		}
		t, err := parseInput(server)
		if err != nil {
			return nil, false, err
		}
		if info, err = c.Discover(ctx, server); err != nil {
			return nil, false, err
		}
		nameResolved = t.named
	}
	if info.OAuth == nil && !(legacy && LegacySSO(info)) {
		return nil, false, autherr.New(autherr.OAuthUnsupported, op, "%s does not delegate login to an OAuth 2.0 server", info.ServerName)
	}
	if handedIn {
		if err := c.checkServerInfo(ctx, info); err != nil {
			return nil, false, err
		}
	}
	return info, nameResolved, nil
}

func (c *Client) pendingTTL() time.Duration {
	if c.PendingLoginTTL > 0 {
		return c.PendingLoginTTL
	}
	return time.Hour
}

// sweepPending removes expired pending logins, so abandoned logins do not
// pile up in the Store. Failures are ignored: it is housekeeping.
func (c *Client) sweepPending(ctx context.Context) {
	keys, err := c.store.Keys(ctx, PendingPrefix)
	if err != nil {
		return
	}
	now := c.now()
	for _, k := range keys {
		b, err := c.GetSecret(ctx, k)
		if err != nil || b == nil {
			continue
		}
		var rec PendingRecord
		if json.Unmarshal(b, &rec) != nil || now.After(rec.ExpiresAt) {
			_ = c.store.Delete(ctx, k)
		}
	}
}

// LoginScopes picks the Matrix scopes (MSC2967) and openid. The stable
// forms are used unless the server calls for the unstable ones: its
// scopes_supported lists only the unstable api scope, or its metadata is
// served only on the pre-v1.15 paths by a server that does not claim v1.15
// (MAS before v1.0 knew only the unstable forms). openid is asked for only
// when scopes_supported lists it, and then an ID token comes back.
func LoginScopes(info *ServerInfo, deviceID string) []string {
	o := info.OAuth
	unstable := false
	switch {
	case slices.Contains(o.ScopesSupported, string(ScopeClientAPI)):
	case slices.Contains(o.ScopesSupported, string(ScopeClientAPIUnstable)):
		unstable = true
	case o.Source == SourceStable || claimsVersion(info.Versions, 1, 15):
	default:
		unstable = true
	}
	var scopes []string
	if slices.Contains(o.ScopesSupported, string(ScopeOpenID)) {
		scopes = append(scopes, string(ScopeOpenID))
	}
	if unstable {
		scopes = append(scopes, string(ScopeClientAPIUnstable), string(DeviceScopeUnstable(deviceID)))
	} else {
		scopes = append(scopes, string(ScopeClientAPI), string(DeviceScope(deviceID)))
	}
	return scopes
}

// claimsVersion reports whether versions lists v<major>.<minor> or later.
func claimsVersion(versions []string, major, minor int) bool {
	for _, v := range versions {
		// "v%d.%d", read without fmt's scanner.
		rest, ok := strings.CutPrefix(v, "v")
		if !ok {
			continue
		}
		a, rest, ok := leadingInt(rest)
		if !ok {
			continue
		}
		rest, ok = strings.CutPrefix(rest, ".")
		if !ok {
			continue
		}
		if b, _, ok := leadingInt(rest); ok && (a > major || a == major && b >= minor) {
			return true
		}
	}
	return false
}

// loginHint turns a Matrix user id into MAS's mxid: form.
func loginHint(h string) string {
	h = strings.TrimSpace(h)
	if strings.HasPrefix(h, "@") {
		return "mxid:" + h
	}
	return h
}

// ValidDeviceID reports whether id is a device id MAS accepts in a device
// scope: at least 10 characters of [A-Za-z0-9._~!$&'()*+,;=:@/-] (MAS's
// authorization grant policy; generated ids use only [A-Za-z0-9]).
func ValidDeviceID(id string) bool {
	return len(id) >= 10 && len(id) <= 255 && allIn(id, "._~!$&'()*+,;=:@/-")
}

// CanonicalRedirectURI checks a redirect URI and returns the one string used
// at registration, authorization and token exchange: scheme and host in
// lower case, no fragment (RFC 6749 §3.1.2).
func CanonicalRedirectURI(raw string) (string, error) {
	const op = "redirect uri"
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", autherr.New(autherr.InvalidInput, op, "no redirect URI given")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", autherr.New(autherr.InvalidInput, op, "not a URL: %v", err)
	}
	if u.Scheme == "" {
		return "", autherr.New(autherr.InvalidInput, op, "%q is not an absolute URL", serverrule.ClipURL(raw))
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "", autherr.New(autherr.InvalidInput, op, "%q must not have a fragment", serverrule.ClipURL(raw))
	}
	if u.User != nil {
		return "", autherr.New(autherr.InvalidInput, op, "%q must not carry credentials", serverrule.ClipURL(raw))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return u.String(), nil
}

// randomAlphabet is what generated ids are made of: safe in scopes, URLs
// and every server's device id rules.
const randomAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomString returns n characters of randomAlphabet from c.Rand, without
// modulo bias.
func (c *Client) RandomString(n int) (string, error) {
	r := c.random()
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", &autherr.Error{Code: autherr.InvalidInput, Op: "random", Err: errors.New("the random source failed: " + err.Error())}
		}
		for _, b := range buf {
			if int(b) < 256-256%len(randomAlphabet) && len(out) < n {
				out = append(out, randomAlphabet[int(b)%len(randomAlphabet)])
			}
		}
	}
	return string(out), nil
}
