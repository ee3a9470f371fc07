package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
	"github.com/mxauth/mxauth/auth/signin"
	"golang.org/x/oauth2"
)

// grantTypeDeviceCode is the grant type of the OAuth 2.0 device
// authorization grant (RFC 8628 §3.4), part of the Matrix client-server API
// since v1.18 (MSC4341).
const grantTypeDeviceCode = signin.GrantTypeDeviceCode

// reasonDeviceGrantNotOffered is the Details["reason"] of the
// oauth_unsupported error StartDeviceLogin returns when the server's metadata
// lists no device_authorization_endpoint or not the device_code grant.
const reasonDeviceGrantNotOffered = "device_grant_not_offered"

// reasonDeviceGrantNoRegister is the Details["reason"] of the invalid_input
// error for Action "register": the device grant has no prompt=create.
const reasonDeviceGrantNoRegister = "device_grant_no_register"

// Bounds on a device authorization answer (RFC 8628 §3.2). The codes are
// shown to people and sent back, so they are kept small and printable.
const (
	maxDeviceCode     = 2048
	maxUserCode       = 64
	defaultDeviceLife = 10 * time.Minute // when the server gives no expires_in
	maxDeviceLife     = time.Hour
)

// DeviceLoginOptions mirror CONTRACT.md's startDeviceLogin opts.
type DeviceLoginOptions struct {
	// Server names the homeserver as Discover reads it. Ignored when
	// ServerInfo is set.
	Server string `json:"server,omitempty"`
	// ServerInfo is a discovery result to use as it is.
	ServerInfo *ServerInfo `json:"serverInfo,omitempty"`
	// Client describes the application for dynamic registration. A device
	// client registers with no redirect URI: client_uri and the URIs on its
	// host are checked as for any registration.
	Client ClientMetadata `json:"client"`
	// ClientID is a pre-registered client id allowed the device_code grant;
	// no registration happens then. Client.ClientIDs is not used: those are
	// redirect clients, which a server need not allow this grant.
	ClientID string `json:"clientId,omitempty"`
	// Action is "login" (default). "register" is refused: there is no
	// prompt=create in the device grant.
	Action Action `json:"action,omitempty"`
	// DeviceID reuses a device id (at least 10 characters); empty makes a
	// new one.
	DeviceID string `json:"deviceId,omitempty"`
}

// DeviceLogin is a started device login: show UserCode and
// VerificationURI (or a QR code of VerificationURIComplete) to the person,
// then call WaitDeviceLogin. It lives in memory only: the device code it
// holds is a secret and is never stored.
type DeviceLogin struct {
	// UserCode is what the person types at VerificationURI.
	UserCode string `json:"userCode"`
	// VerificationURI is where the person goes on another device.
	VerificationURI string `json:"verificationUri"`
	// VerificationURIComplete carries the user code too, for a QR code;
	// empty when the server offers none, else on VerificationURI's origin.
	VerificationURIComplete string `json:"verificationUriComplete,omitempty"`
	// ExpiresAt is when the code expires (by the system clock, which
	// x/oauth2's polling uses).
	ExpiresAt time.Time `json:"expiresAt"`
	// Interval is how long to wait between polls (the server's, or RFC
	// 8628's default of 5 s); slow_down answers lengthen it while polling.
	Interval   time.Duration `json:"-"`
	DeviceID   string        `json:"deviceId"`
	ClientID   string        `json:"clientId"`
	ServerName string        `json:"serverName"`

	deviceCode string
	rec        pendingRecord
}

// StartDeviceLogin begins a device authorization grant (RFC 8628 §3.1,
// spec v1.18): it finds the server (unless opts.ServerInfo is given),
// registers a native client without redirect URI (unless opts.ClientID is
// set) and asks for a code with the Matrix scopes, as StartLogin would.
func (c *Client) StartDeviceLogin(ctx context.Context, opts DeviceLoginOptions) (*DeviceLogin, error) {
	const op = "start device login"
	c.init()
	switch opts.Action {
	case "", ActionLogin:
	case ActionRegister:
		return nil, &autherr.Error{Code: autherr.InvalidInput, Op: op,
			Details: map[string]string{"reason": reasonDeviceGrantNoRegister},
			Err:     errors.New("the device grant cannot create an account (there is no prompt=create in it): create the account with a redirect login, or in a browser, first")}
	default:
		return nil, autherr.New(autherr.InvalidInput, op, "action %q is not login", opts.Action)
	}
	info, nameResolved, err := c.core.LoginServer(ctx, op, opts.Server, opts.ServerInfo)
	if err != nil {
		return nil, err
	}
	if err := checkDeviceGrant(op, info); err != nil {
		return nil, err
	}
	o := info.OAuth
	deviceID, err := c.deviceLoginID(op, opts.DeviceID)
	if err != nil {
		return nil, err
	}
	clientID, regKey := opts.ClientID, ""
	if clientID == "" {
		if clientID, regKey, err = c.core.RegisterDevice(ctx, o, opts.Client, info.Insecure); err != nil {
			return nil, err
		}
	}
	rec := pendingRecord{
		DeviceID: deviceID, ClientID: clientID, RegistrationKey: regKey,
		Scopes: loginScopes(info, deviceID), ServerName: info.ServerName, BaseURL: info.BaseURL,
		Insecure: info.Insecure, NameResolved: nameResolved, OAuth: *o, CreatedAt: c.now(),
	}
	da, err := c.deviceAuth(ctx, op, &rec)
	if err != nil {
		return nil, err
	}
	d := &DeviceLogin{
		UserCode:                da.UserCode,
		VerificationURI:         da.VerificationURI,
		VerificationURIComplete: da.VerificationURIComplete,
		ExpiresAt:               da.Expiry,
		Interval:                time.Duration(da.Interval) * time.Second,
		DeviceID:                deviceID,
		ClientID:                clientID,
		ServerName:              info.ServerName,
		deviceCode:              da.DeviceCode,
		rec:                     rec,
	}
	if d.Interval <= 0 {
		d.Interval = 5 * time.Second // RFC 8628 §3.2
	}
	return d, nil
}

// checkDeviceGrant refuses a server whose metadata does not offer the
// device authorization grant, or names unusable endpoints for it.
func checkDeviceGrant(op string, info *ServerInfo) error {
	o := info.OAuth
	if o.DeviceAuthorizationEndpoint == "" || !slices.Contains(o.GrantTypesSupported, grantTypeDeviceCode) {
		return &autherr.Error{Code: autherr.OAuthUnsupported, Op: op,
			Details: map[string]string{"reason": reasonDeviceGrantNotOffered},
			Err:     fmt.Errorf("%s does not offer the device authorization grant (no device_authorization_endpoint or %s in its metadata)", info.ServerName, grantTypeDeviceCode)}
	}
	for _, u := range []struct{ name, val string }{
		{"device_authorization_endpoint", o.DeviceAuthorizationEndpoint}, {"token_endpoint", o.TokenEndpoint},
	} {
		if u.val == "" {
			return metadataError(op, u.name, "missing")
		}
		if err := serverrule.CheckURL(u.val, info.Insecure); err != nil {
			return metadataError(op, u.name, "%v", err)
		}
	}
	return nil
}

// deviceLoginID is the caller's device id, checked, or a new one.
func (c *Client) deviceLoginID(op, id string) (string, error) {
	if id == "" {
		return c.core.RandomString(10)
	}
	if !signin.ValidDeviceID(id) {
		return "", autherr.New(autherr.InvalidInput, op, "device id %q must be at least 10 characters of [A-Za-z0-9._~!$&'()*+,;=:@/-]", id)
	}
	return id, nil
}

// deviceAuth asks the device authorization endpoint for a code (RFC 8628
// §3.1), retrying rate-limited answers. A client the server no longer
// knows, or registered without the grant, is dropped from the cache.
func (c *Client) deviceAuth(ctx context.Context, op string, rec *pendingRecord) (*oauth2.DeviceAuthResponse, error) {
	conf := deviceConfig(rec)
	conf.Scopes = rec.Scopes
	var da *oauth2.DeviceAuthResponse
	err := c.Retry.Do(ctx, func() error {
		tctx, cancel := c.tokenContext(ctx, rec.Insecure)
		defer cancel()
		var err error
		if da, err = conf.DeviceAuth(tctx); err != nil {
			return tokenError(op, tctx, err, autherr.TokenExchangeFailed)
		}
		return nil
	})
	if err != nil {
		if e := errcodeOf(err); e == "invalid_client" || e == "unauthorized_client" {
			// The cached client is gone or was registered without the
			// grant: register again next time.
			c.forgetRegistration(ctx, rec.RegistrationKey)
		}
		return nil, err
	}
	if err := checkDeviceAuth(da, rec.Insecure); err != nil {
		return nil, err
	}
	return da, nil
}

// WaitDeviceLogin polls the token endpoint (x/oauth2's DeviceAccessToken,
// RFC 8628 §3.4, §3.5) until the person approves (then it finishes as
// CompleteLogin does) or denies (authorization_denied), the code expires
// (device_code_expired) or ctx ends (timeout or network). Any other failure
// (the network, a 5xx) ends this call but not the code: call again with the
// same d to poll on until ExpiresAt.
func (c *Client) WaitDeviceLogin(ctx context.Context, d *DeviceLogin) (*Session, error) {
	const op = "device login"
	c.init()
	if d == nil || d.deviceCode == "" {
		return nil, autherr.New(autherr.InvalidInput, op, "no started device login (call StartDeviceLogin first)")
	}
	if err := serverrule.CheckURL(d.rec.OAuth.TokenEndpoint, d.rec.Insecure); err != nil {
		return nil, metadataError(op, "token_endpoint", "%v", err)
	}
	conf := deviceConfig(&d.rec)
	// Each poll is bounded by Client.Timeout; the whole wait by ExpiresAt
	// (x/oauth2 sets that deadline) and ctx.
	hc := *c.httpClient(d.rec.Insecure)
	hc.Timeout = c.timeout()
	pctx := context.WithValue(ctx, oauth2.HTTPClient, &hc)
	tok, err := conf.DeviceAccessToken(pctx, &oauth2.DeviceAuthResponse{
		DeviceCode:      d.deviceCode,
		UserCode:        d.UserCode,
		VerificationURI: d.VerificationURI,
		Expiry:          d.ExpiresAt,
		Interval:        int64(d.Interval / time.Second),
	})
	if err != nil {
		return nil, c.devicePollError(ctx, op, d, err)
	}
	if err := checkToken(op, tok); err != nil {
		return nil, err
	}
	return c.finishLogin(ctx, op, &d.rec, tok)
}

// devicePollError maps how DeviceAccessToken ended to a stable code.
func (c *Client) devicePollError(ctx context.Context, op string, d *DeviceLogin, err error) error {
	if ctx.Err() != nil {
		return autherr.FromContext(op, ctx.Err())
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := tokenError(op, ctx, err, autherr.TokenExchangeFailed).(*autherr.Error)
		switch re.ErrorCode {
		case "expired_token":
			e.Code = autherr.DeviceCodeExpired
		case "access_denied":
			e.Code = autherr.AuthorizationDenied
		case "invalid_client", "unauthorized_client":
			c.forgetRegistration(ctx, d.rec.RegistrationKey)
		}
		return e
	}
	// x/oauth2 stops polling at ExpiresAt with its own deadline; a request
	// that timed out before then is a timeout, not an expiry.
	if errors.Is(err, context.DeadlineExceeded) && !time.Now().Before(d.ExpiresAt) {
		return &autherr.Error{Code: autherr.DeviceCodeExpired, Op: op,
			Err: fmt.Errorf("the code %s expired at %s before it was approved; start again for a new code", d.UserCode, d.ExpiresAt.Format(time.RFC3339))}
	}
	return tokenError(op, ctx, err, autherr.TokenExchangeFailed)
}

// deviceConfig is the x/oauth2 view of the server for the device grant:
// a public client (id in the body), no redirect URI and, for polling, no
// scope (it was given at the device authorization request).
func deviceConfig(rec *pendingRecord) *oauth2.Config {
	conf := oauth2Config(&rec.OAuth, rec.ClientID, "", nil)
	conf.Endpoint.DeviceAuthURL = rec.OAuth.DeviceAuthorizationEndpoint
	return conf
}

// checkDeviceAuth checks a device authorization answer (RFC 8628 §3.2)
// before any of it is shown or polled with: both codes present, bounded and
// printable (they are drawn in a terminal or a page), the verification URIs
// https (or loopback http for a loopback server) and
// verification_uri_complete on verification_uri's origin, so the QR code
// cannot send the person elsewhere. A missing expires_in is taken as
// 10 minutes and a longer one than an hour is cut to an hour.
func checkDeviceAuth(da *oauth2.DeviceAuthResponse, insecure bool) error {
	const op = "device authorization"
	fail := func(format string, args ...any) error {
		return autherr.New(autherr.TokenExchangeFailed, op, format, args...)
	}
	if da.DeviceCode == "" || len(da.DeviceCode) > maxDeviceCode || !printable(da.DeviceCode) {
		return fail("the answer has no usable device_code")
	}
	if da.UserCode == "" || len(da.UserCode) > maxUserCode || !printable(da.UserCode) {
		return fail("the answer has no usable user_code")
	}
	if da.VerificationURI == "" {
		return fail("the answer has no verification_uri")
	}
	if err := serverrule.CheckURL(da.VerificationURI, insecure); err != nil {
		return fail("verification_uri: %v", err)
	}
	if da.VerificationURIComplete != "" {
		if err := serverrule.CheckURL(da.VerificationURIComplete, insecure); err != nil {
			return fail("verification_uri_complete: %v", err)
		}
		if originOf(da.VerificationURIComplete) != originOf(da.VerificationURI) {
			return fail("verification_uri_complete %q is not on the origin of verification_uri %q", serverrule.ClipURL(da.VerificationURIComplete), serverrule.ClipURL(da.VerificationURI))
		}
	}
	now := time.Now()
	switch {
	case da.Expiry.IsZero():
		da.Expiry = now.Add(defaultDeviceLife)
	case da.Expiry.After(now.Add(maxDeviceLife)):
		da.Expiry = now.Add(maxDeviceLife)
	}
	if da.Interval < 0 {
		da.Interval = 0
	}
	return nil
}

// printable reports whether s has no control or invisible characters that
// could rewrite a terminal line or hide part of a code.
func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}
