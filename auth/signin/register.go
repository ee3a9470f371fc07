package signin

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/digest"
)

// ClientMetadata describes the application to the OAuth server for dynamic
// client registration (RFC 7591 §2; the Matrix spec's client metadata,
// MSC2966). URI is required and is the base all other URIs must share.
type ClientMetadata struct {
	// Name is client_name, shown on the consent screen.
	Name string `json:"name,omitempty"`
	// URI is client_uri: a public https URL of the application.
	URI       string   `json:"uri"`
	LogoURI   string   `json:"logoUri,omitempty"`
	TOSURI    string   `json:"tosUri,omitempty"`
	PolicyURI string   `json:"policyUri,omitempty"`
	Contacts  []string `json:"contacts,omitempty"`
	// Localized holds language variants keyed by BCP 47 tag ("fr", "de-CH"),
	// sent as client_name#fr and so on (RFC 7591 §2.2). MAS accepts them but
	// keeps only the plain values.
	Localized map[string]LocalizedClientMetadata `json:"localized,omitempty"`
}

// LocalizedClientMetadata is one language's variant of the localisable
// fields.
type LocalizedClientMetadata struct {
	Name      string `json:"name,omitempty"`
	LogoURI   string `json:"logoUri,omitempty"`
	TOSURI    string `json:"tosUri,omitempty"`
	PolicyURI string `json:"policyUri,omitempty"`
}

// registrationBody is the RFC 7591 request. MAS applies RFC 7591's defaults,
// not Matrix's, to omitted fields (a secret-using client that cannot
// refresh), so every field that matters is sent (spec notes §2.2).
func registrationBody(meta ClientMetadata, redirectURI string) map[string]any {
	body := map[string]any{
		"client_uri":                 meta.URI,
		"redirect_uris":              []string{redirectURI},
		"token_endpoint_auth_method": "none",
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"application_type":           ApplicationTypeOf(redirectURI),
	}
	set := func(k, v string) {
		if v != "" {
			body[k] = v
		}
	}
	set("client_name", meta.Name)
	set("logo_uri", meta.LogoURI)
	set("tos_uri", meta.TOSURI)
	set("policy_uri", meta.PolicyURI)
	if len(meta.Contacts) > 0 {
		body["contacts"] = meta.Contacts
	}
	for tag, l := range meta.Localized {
		set("client_name#"+tag, l.Name)
		set("logo_uri#"+tag, l.LogoURI)
		set("tos_uri#"+tag, l.TOSURI)
		set("policy_uri#"+tag, l.PolicyURI)
	}
	return body
}

// registration is what the Store holds under "clients/<hash>".
type registration struct {
	Issuer       string    `json:"issuer"`
	ClientID     string    `json:"clientId"`
	RegisteredAt time.Time `json:"registeredAt"`
}

// RegistrationTTL is how long a dynamic registration is reused. Servers
// may drop clients they have not seen for a while; an invalid_client
// answer forgets one at once, and this bounds how long a client id
// outlives a change on the server that nobody reported.
const RegistrationTTL = 30 * 24 * time.Hour

// registrationKey names the cache entry of one (issuer, registration
// endpoint, metadata) triple: a client id is reused only where it was
// issued. json.Marshal sorts map keys, so equal metadata hashes equally.
func registrationKey(o *OAuthInfo, body map[string]any) string {
	b, _ := json.Marshal(body)
	h := digest.Sum256([]byte(o.Issuer + "\x00" + o.RegistrationEndpoint + "\x00" + string(b)))
	return "clients/" + hex.EncodeToString(h[:16])
}

// maxClientID bounds the client_id we keep.
const maxClientID = 512

// Register returns a client id for this application at info's OAuth
// server: a pre-registered one (Client.ClientIDs), the cached one for the
// same issuer and metadata, or a new one from dynamic client registration
// (RFC 7591, spec "Client registration"). The metadata is checked locally
// first (CheckClientMetadata). redirectURI must be the exact string later
// used at the authorization and token endpoints.
func (c *Client) Register(ctx context.Context, info *ServerInfo, meta ClientMetadata, redirectURI string) (string, error) {
	c.init()
	if info == nil || info.OAuth == nil {
		return "", &autherr.Error{Code: autherr.OAuthUnsupported, Op: "register", Err: fmt.Errorf("the server does not delegate login to an OAuth 2.0 server")}
	}
	if id := c.ClientIDs[info.OAuth.Issuer]; id != "" {
		return id, nil
	}
	id, _, err := c.RegisterAt(ctx, info.OAuth, meta, redirectURI, info.Insecure)
	return id, err
}

// RegisterAt does the cached dynamic registration at o and also returns
// the cache key, so that a later invalid_client can drop the entry.
func (c *Client) RegisterAt(ctx context.Context, o *OAuthInfo, meta ClientMetadata, redirectURI string, insecure bool) (string, string, error) {
	const op = "register"
	c.init()
	if err := CheckClientMetadata(meta, redirectURI); err != nil {
		return "", "", err
	}
	return c.registerBody(ctx, o, registrationBody(meta, redirectURI), insecure)
}

// registerBody registers the client described by body at o, or finds it in
// the cache per issuer and body, and returns its id and cache key.
func (c *Client) registerBody(ctx context.Context, o *OAuthInfo, body map[string]any, insecure bool) (string, string, error) {
	const op = "register"
	key := registrationKey(o, body)
	if b, err := c.store.Get(ctx, key); err != nil {
		return "", "", storageError(op, err)
	} else if b != nil {
		var r registration
		if json.Unmarshal(b, &r) == nil && r.ClientID != "" && r.Issuer == o.Issuer {
			// An expired entry is replaced by the registration below.
			if age := c.now().Sub(r.RegisteredAt); age >= 0 && age < RegistrationTTL {
				return r.ClientID, key, nil
			}
		}
	}
	if o.RegistrationEndpoint == "" {
		// Discovery lets a server without registration through (a page may
		// bring its client id); this login needs one and has none. The
		// spec requires the field, so it is the server's metadata that
		// falls short, not this page's.
		// Details reason "missing" tells a page this from an endpoint that
		// is there but wrong, for words a person can act on.
		e := MetadataError(op, "registration_endpoint", "missing: the server offers no dynamic client registration; configure a client id for %s", o.Issuer)
		e.Details["reason"] = "missing"
		return "", "", e
	}
	resp, err := c.Do(ctx, Request{Op: op, Method: "POST", URL: o.RegistrationEndpoint, JSON: body, Insecure: insecure})
	if err != nil {
		return "", "", err
	}
	if resp.Status != statusCreated && resp.Status != statusOK {
		code := autherr.RegistrationFailed
		if resp.Status >= 500 || resp.Status == statusTooManyRequests {
			code = autherr.Classify(resp.Status, resp.Body, code)
		}
		// A refusal keeps the server's error and error_description (RFC
		// 7591 §3.2.2) whatever the status.
		return "", "", autherr.FromReply(op, code, resp.Status, resp.Body)
	}
	var r struct {
		ClientID string `json:"client_id"`
	}
	if err := DecodeJSON(op, resp, &r, autherr.RegistrationFailed); err != nil {
		return "", "", err
	}
	if r.ClientID == "" || len(r.ClientID) > maxClientID {
		return "", "", &autherr.Error{Code: autherr.RegistrationFailed, Op: op, Status: resp.Status, Err: fmt.Errorf("the answer has no usable client_id")}
	}
	rec, _ := json.Marshal(registration{Issuer: o.Issuer, ClientID: r.ClientID, RegisteredAt: c.now()})
	if err := c.store.Put(ctx, key, rec); err != nil {
		return "", "", storageError(op, err)
	}
	return r.ClientID, key, nil
}

// ForgetRegistration drops a cached client id the server no longer knows
// (invalid_client), so the next login registers again.
func (c *Client) ForgetRegistration(ctx context.Context, key string) {
	c.init()
	if key != "" {
		_ = c.store.Delete(ctx, key)
	}
}

// GrantTypeDeviceCode is the grant type of the OAuth 2.0 device
// authorization grant (RFC 8628 §3.4), part of the Matrix client-server API
// since v1.18 (MSC4341).
const GrantTypeDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// RegisterDevice registers (or finds in the cache per issuer) a device
// client: grant types device_code and refresh_token, application type
// native, response types none, no redirect URIs, as MAS registers device
// clients. The URIs are checked locally first, as for every registration.
func (c *Client) RegisterDevice(ctx context.Context, o *OAuthInfo, meta ClientMetadata, insecure bool) (string, string, error) {
	if _, err := checkClientURIs(meta); err != nil {
		return "", "", err
	}
	return c.registerBody(ctx, o, deviceRegistrationBody(meta), insecure)
}

// deviceRegistrationBody is the RFC 7591 request of a device client.
func deviceRegistrationBody(meta ClientMetadata) map[string]any {
	body := registrationBody(meta, "")
	delete(body, "redirect_uris")
	body["grant_types"] = []string{GrantTypeDeviceCode, "refresh_token"}
	body["response_types"] = []string{}
	body["application_type"] = ApplicationTypeNative
	return body
}
