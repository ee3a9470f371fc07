package signin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/serverrule"
)

// authMetadata is the OAuth 2.0 server metadata as the Matrix spec (v1.15,
// MSC2965) and RFC 8414 define it: each field named once, here, and decoded
// once (as go-oidc's ProviderConfig); a wrong type names its field through
// encoding/json's UnmarshalTypeError.
type authMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	RegistrationEndpoint              string   `json:"registration_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	AccountManagementURI              string   `json:"account_management_uri"`
	AccountManagementActionsSupported []string `json:"account_management_actions_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	PromptValuesSupported             []string `json:"prompt_values_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	IssParameterSupported             bool     `json:"authorization_response_iss_parameter_supported"`
}

// MetadataError names the field that failed validation.
func MetadataError(op, field, format string, args ...any) *autherr.Error {
	return &autherr.Error{
		Code:    autherr.MetadataInvalid,
		Op:      op,
		Details: map[string]string{"field": field},
		Err:     fmt.Errorf("%s: "+format, append([]any{field}, args...)...),
	}
}

// parseAuthMetadata decodes and validates auth metadata as the Matrix spec
// requires (client-server API, "Server metadata discovery") where the login
// needs it: issuer, authorization and token endpoints; "code"; the
// authorization_code grant; S256; query and fragment response modes; an
// issuer without query or fragment. Every URL must be https, or loopback
// http when insecure is set. The result is the OAuthInfo of ServerInfo with
// Source left empty.
//
// The spec also requires registration_endpoint and revocation_endpoint, but
// a login with a configured client id registers nothing and a logout
// without revocation still forgets the session: each is refused where it is
// needed (registerBody; Logout reports the tokens "not revoked"). Absent
// lists take RFC 8414 §2's defaults.
func parseAuthMetadata(body []byte, insecure bool) (*OAuthInfo, error) {
	const op = "auth metadata"
	var m *authMetadata
	if err := json.Unmarshal(body, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, MetadataError(op, te.Field, "wrong type: %s where %s belongs", te.Value, te.Type)
		}
		return nil, &autherr.Error{Code: autherr.MetadataInvalid, Op: op, Err: fmt.Errorf("not a JSON object: %w", err)}
	}
	if m == nil {
		return nil, &autherr.Error{Code: autherr.MetadataInvalid, Op: op, Err: errors.New("not a JSON object: null")}
	}

	required := []struct{ name, val string }{
		{"issuer", m.Issuer},
		{"authorization_endpoint", m.AuthorizationEndpoint},
		{"token_endpoint", m.TokenEndpoint},
	}
	for _, r := range required {
		if r.val == "" {
			return nil, MetadataError(op, r.name, "missing")
		}
	}
	// RFC 8414 §2: an absent response_modes_supported means "query" and
	// "fragment", an absent grant_types_supported "authorization_code" and
	// "implicit". A list the server does send must hold both response modes
	// and both grants the spec requires: a server that lists its grants
	// without refresh_token says it issues none, and every session would end
	// with its first access token (minutes on MAS), which reads as a broken
	// sign-in. An absent list says nothing of refresh tokens; the token
	// answer decides (a session without one ends at its expiry).
	grantsWanted := []string{"authorization_code", "refresh_token"}
	if m.GrantTypesSupported == nil {
		m.GrantTypesSupported = []string{"authorization_code", "implicit"}
		grantsWanted = grantsWanted[:1]
	}
	if m.ResponseModesSupported == nil {
		m.ResponseModesSupported = []string{"query", "fragment"}
	}
	o := &OAuthInfo{
		Issuer:                      m.Issuer,
		AuthorizationEndpoint:       m.AuthorizationEndpoint,
		TokenEndpoint:               m.TokenEndpoint,
		RegistrationEndpoint:        m.RegistrationEndpoint,
		RevocationEndpoint:          m.RevocationEndpoint,
		AccountManagementURI:        m.AccountManagementURI,
		AccountManagementActions:    nonNil(m.AccountManagementActionsSupported),
		PromptValues:                nonNil(m.PromptValuesSupported),
		JWKSURI:                     m.JWKSURI,
		UserinfoEndpoint:            m.UserinfoEndpoint,
		ScopesSupported:             m.ScopesSupported,
		ResponseModesSupported:      m.ResponseModesSupported,
		IDTokenSigningAlgValues:     m.IDTokenSigningAlgValuesSupported,
		DeviceAuthorizationEndpoint: m.DeviceAuthorizationEndpoint,
		IssParameterSupported:       m.IssParameterSupported,
		GrantTypesSupported:         m.GrantTypesSupported,
	}
	if err := checkOAuthURLs(op, o, insecure); err != nil {
		return nil, err
	}
	lists := []struct {
		name string
		have []string
		want []string
	}{
		{"response_types_supported", m.ResponseTypesSupported, []string{"code"}},
		{"grant_types_supported", m.GrantTypesSupported, grantsWanted},
		{"code_challenge_methods_supported", m.CodeChallengeMethodsSupported, []string{"S256"}},
		{"response_modes_supported", m.ResponseModesSupported, []string{"query", "fragment"}},
	}
	for _, l := range lists {
		for _, w := range l.want {
			if !slices.Contains(l.have, w) {
				return nil, MetadataError(op, l.name, "does not contain %q", w)
			}
		}
	}
	return o, nil
}

// urlFields names every URL of o by its metadata field, in the order the
// checks report them.
func urlFields(o *OAuthInfo) []struct{ name, val string } {
	return []struct{ name, val string }{
		{"issuer", o.Issuer},
		{"authorization_endpoint", o.AuthorizationEndpoint},
		{"token_endpoint", o.TokenEndpoint},
		{"registration_endpoint", o.RegistrationEndpoint},
		{"revocation_endpoint", o.RevocationEndpoint},
		{"jwks_uri", o.JWKSURI},
		{"userinfo_endpoint", o.UserinfoEndpoint},
		{"device_authorization_endpoint", o.DeviceAuthorizationEndpoint},
		{"account_management_uri", o.AccountManagementURI},
	}
}

// checkOAuthURLs applies the URL rules to every URL of o: https (or
// loopback http when insecure), no fragment, and an issuer without a query
// (RFC 8414 §2). Discovery and a ServerInfo handed in by a caller go
// through the same rules.
func checkOAuthURLs(op string, o *OAuthInfo, insecure bool) error {
	for _, u := range urlFields(o) {
		if u.val == "" {
			continue
		}
		if err := serverrule.CheckURL(u.val, insecure); err != nil {
			return MetadataError(op, u.name, "%v", err)
		}
		parsed, _ := url.Parse(u.val)
		if parsed.Fragment != "" || parsed.RawFragment != "" || hasHash(u.val) {
			return MetadataError(op, u.name, "must not have a fragment")
		}
	}
	if iss, _ := url.Parse(o.Issuer); iss.RawQuery != "" || iss.ForceQuery {
		return MetadataError(op, "issuer", "must not have a query")
	}
	return nil
}

func hasHash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' {
			return true
		}
	}
	return false
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
