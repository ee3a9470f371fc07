package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The sandbox's OAuth paths are MAS's (crates/router/src/endpoints.rs), not the
// spec examples', so clients that hard-code paths fail here as they would on
// MAS: every endpoint must come from the metadata.
const (
	pathAuthorize         = "/authorize"
	pathAuthorizeContinue = "/authorize/continue"
	pathAuthorizeConsent  = "/authorize/consent"
	pathToken             = "/oauth2/token"
	pathRegistration      = "/oauth2/registration"
	pathRevoke            = "/oauth2/revoke"
	pathJWKS              = "/oauth2/keys.json"
	pathUserinfo          = "/oauth2/userinfo"
	pathAccount           = "/account/"
)

// metadataCacheControl is what Synapse sends on the auth metadata it proxies
// from MAS (synapse/rest/client/auth_metadata.py).
const metadataCacheControl = "public, max-age=600, s-maxage=3600, stale-while-revalidate=600"

// AccountActions are the account management actions advertised: MAS's list
// (the stable MSC4191 names minus org.matrix.account_deactivate, plus the
// older org.matrix.session_* names), spec §2.7.
var AccountActions = []string{
	"org.matrix.profile",
	"org.matrix.devices_list",
	"org.matrix.device_view",
	"org.matrix.device_delete",
	"org.matrix.cross_signing_reset",
	"org.matrix.sessions_list",
	"org.matrix.session_view",
	"org.matrix.session_end",
}

// advertisedIssuer is the issuer the homeserver part names: Config.Issuer if
// set, else the sandbox's own.
func (s *Server) advertisedIssuer() string {
	if s.cfg.Issuer != "" {
		return s.cfg.Issuer
	}
	return s.Issuer()
}

// accountURI is the account management URI the homeserver part names.
func (s *Server) accountURI() string {
	if s.cfg.Issuer == "" {
		return s.url + pathAccount
	}
	var m struct {
		URI string `json:"account_management_uri"`
	}
	if b, err := s.externalMetadata(); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m.URI
}

// ownMetadata is the sandbox's OAuth 2.0 server metadata (RFC 8414), shaped
// like MAS's (crates/handlers/src/oauth2/discovery.rs) but listing only what
// the sandbox serves: response type code, grants authorization_code,
// refresh_token and (unless switched off) device_code, PKCE S256 only (the brief requires S256, so plain is left
// out although MAS lists it).
func (s *Server) ownMetadata() map[string]any {
	base := s.url
	authMethods := []string{"client_secret_basic", "client_secret_post", "none"}
	prompts := []string{"login"}
	if s.cfg.PromptCreate {
		prompts = append(prompts, "create")
	}
	grants := []string{"authorization_code", "refresh_token"}
	m := map[string]any{
		"issuer":                                     s.Issuer(),
		"authorization_endpoint":                     base + pathAuthorize,
		"token_endpoint":                             base + pathToken,
		"jwks_uri":                                   base + pathJWKS,
		"registration_endpoint":                      base + pathRegistration,
		"scopes_supported":                           []string{"openid", "email"},
		"response_types_supported":                   []string{"code"},
		"response_modes_supported":                   []string{"form_post", "query", "fragment"},
		"grant_types_supported":                      grants,
		"token_endpoint_auth_methods_supported":      authMethods,
		"revocation_endpoint":                        base + pathRevoke,
		"revocation_endpoint_auth_methods_supported": authMethods,
		"code_challenge_methods_supported":           []string{"S256"},
		"userinfo_endpoint":                          base + pathUserinfo,
		"subject_types_supported":                    []string{"public"},
		"id_token_signing_alg_values_supported":      []string{"RS256"},
		"display_values_supported":                   []string{"page"},
		"claim_types_supported":                      []string{"normal"},
		"claims_supported":                           []string{"iss", "sub", "aud", "iat", "exp", "nonce", "auth_time", "at_hash"},
		"claims_parameter_supported":                 false,
		"request_parameter_supported":                false,
		"request_uri_parameter_supported":            false,
		"prompt_values_supported":                    prompts,
		// RFC 9207 §3: the authorization response carries iss.
		"authorization_response_iss_parameter_supported": true,
		"account_management_uri":                         base + pathAccount,
		"account_management_actions_supported":           AccountActions,
	}
	if !s.isOff(OffDeviceCode) {
		// RFC 8628 §4; MAS lists both when device_code_grant_enabled.
		m["device_authorization_endpoint"] = base + pathDeviceAuthorization
		m["grant_types_supported"] = append(grants, grantTypeDeviceCode)
	}
	return m
}

// authMetadata serves the stable /_matrix/client/v1/auth_metadata and the
// unstable MSC2965 path. Synapse proxies MAS's openid-configuration verbatim
// on both; so does the sandbox, from Config.Issuer when set.
func (s *Server) authMetadata(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Issuer != "" {
		b, err := s.externalMetadata()
		if err != nil {
			s.logf("sandbox: external issuer metadata: %v", err)
			matrixError(w, http.StatusInternalServerError, "M_UNKNOWN", "Could not fetch the issuer's metadata", nil)
			return
		}
		w.Header().Set("Cache-Control", metadataCacheControl)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
		return
	}
	w.Header().Set("Cache-Control", metadataCacheControl)
	writeJSON(w, http.StatusOK, s.ownMetadata())
}

// authIssuer serves the older MSC2965 draft's
// /_matrix/client/unstable/org.matrix.msc2965/auth_issuer → {"issuer"}.
func (s *Server) authIssuer(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"issuer": s.advertisedIssuer()})
}

// openIDConfiguration serves {issuer}/.well-known/openid-configuration (OIDC
// Discovery §4) of the sandbox's own OAuth part.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.ownMetadata())
}

// externalMetadata fetches (once, then caches) Config.Issuer's
// openid-configuration, bounded to 1 MiB.
func (s *Server) externalMetadata() ([]byte, error) {
	s.mu.Lock()
	cached := s.extMeta
	s.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	u := strings.TrimSuffix(s.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	resp, err := s.cfg.HTTPClient.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("GET %s: body is not JSON", u)
	}
	s.mu.Lock()
	s.extMeta = b
	s.mu.Unlock()
	return b, nil
}
