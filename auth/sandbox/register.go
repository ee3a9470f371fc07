package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// registrationRequest is the client metadata of RFC 7591 §2 that the sandbox
// reads. Unknown fields are kept for the dedupe hash only.
type registrationRequest struct {
	RedirectURIs            *[]string `json:"redirect_uris"`
	ResponseTypes           *[]string `json:"response_types"`
	GrantTypes              *[]string `json:"grant_types"`
	ApplicationType         *string   `json:"application_type"`
	TokenEndpointAuthMethod *string   `json:"token_endpoint_auth_method"`
	ClientName              *string   `json:"client_name"`
	ClientURI               *string   `json:"client_uri"`
	LogoURI                 *string   `json:"logo_uri"`
	TosURI                  *string   `json:"tos_uri"`
	PolicyURI               *string   `json:"policy_uri"`
	Contacts                *[]string `json:"contacts"`
}

// register serves POST /oauth2/registration: RFC 7591 dynamic client
// registration with MAS's checks, in MAS's order
// (crates/handlers/src/oauth2/registration.rs):
//
//  1. body not JSON → 400 invalid_request; JSON of the wrong shape → 400
//     invalid_client_metadata with the reason;
//  2. metadata validation: no redirect_uris for the code grant, or one with a
//     fragment → invalid_redirect_uri; response types that do not fit the
//     grant types → invalid_client_metadata;
//  3. a URI whose host is a public suffix → "<field> is not using a valid
//     domain" (invalid_redirect_uri for redirect URIs);
//  4. the client registration policy (policies/client_registration), every
//     violation joined by "; ", invalid_redirect_uri when one names
//     redirect_uri, else invalid_client_metadata.
//
// Omitted fields take RFC 7591's defaults as MAS does, not Matrix's:
// token_endpoint_auth_method client_secret_basic (a secret is issued),
// grant_types [authorization_code], response_types [code]. Identical
// metadata of a public client gets the same client_id back.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "")
		return
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "")
		return
	}
	var req registrationRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			oauthError(w, http.StatusBadRequest, "invalid_client_metadata",
				fmt.Sprintf("%s: invalid type: expected %s", te.Field, te.Type))
			return
		}
		oauthError(w, http.StatusBadRequest, "invalid_request", "")
		return
	}
	m := normalizeRegistration(req)
	if code, desc, ok := m.validate(); !ok {
		oauthError(w, http.StatusBadRequest, code, desc)
		return
	}
	if code, desc, ok := m.checkPublicSuffixes(); !ok {
		oauthError(w, http.StatusBadRequest, code, desc)
		return
	}
	if v := m.policyViolations(); len(v) > 0 {
		code := "invalid_client_metadata"
		for _, msg := range v {
			if strings.Contains(msg, "redirect_uri") {
				code = "invalid_redirect_uri"
			}
		}
		oauthError(w, http.StatusBadRequest, code, strings.Join(v, "; "))
		return
	}

	// MAS hashes the sorted request to reuse public clients; a Go map
	// marshals with sorted keys, which gives the same effect.
	canon, _ := json.Marshal(raw)
	sum := sha256.Sum256(canon)
	hash := hex.EncodeToString(sum[:])

	s.mu.Lock()
	c, reused := (*client)(nil), false
	if m.authMethod == "none" {
		if id, ok := s.dedupe[hash]; ok {
			c, reused = s.clients[id], true
		}
	}
	if c == nil {
		c = &client{
			id:              "01" + strings.ToUpper(randomString(24)),
			authMethod:      m.authMethod,
			applicationType: m.applicationType,
			redirectURIs:    m.redirectURIs,
			grantTypes:      m.grantTypes,
			responseTypes:   m.responseTypes,
		}
		switch m.authMethod {
		case "client_secret_basic", "client_secret_post":
			c.secret = randomString(20)
		}
		c.metadata = m.echo()
		s.clients[c.id] = c
		if m.authMethod == "none" {
			s.dedupe[hash] = c.id
		}
	}
	s.mu.Unlock()
	s.logf("sandbox: registered client %s (reused %v)", c.id, reused)

	resp := map[string]any{"client_id": c.id, "client_id_issued_at": s.now().Unix()}
	if c.secret != "" {
		resp["client_secret"] = c.secret
		resp["client_secret_expires_at"] = 0
	}
	for k, v := range c.metadata {
		resp[k] = v
	}
	writeJSON(w, http.StatusCreated, resp)
}

// registration is the request with RFC 7591 defaults applied. Localized
// variants (client_name#fr…) are not read: MAS stores only the plain fields.
type registration struct {
	redirectURIs    []string
	hasRedirectURIs bool
	responseTypes   []string
	grantTypes      []string
	applicationType string
	authMethod      string
	clientName      string
	clientURI       string
	hasClientURI    bool
	logoURI         *string
	tosURI          *string
	policyURI       *string
	contacts        []string
}

func normalizeRegistration(req registrationRequest) registration {
	m := registration{
		responseTypes:   []string{"code"},
		grantTypes:      []string{"authorization_code"},
		applicationType: "web",
		authMethod:      "client_secret_basic",
		logoURI:         req.LogoURI,
		tosURI:          req.TosURI,
		policyURI:       req.PolicyURI,
	}
	if req.RedirectURIs != nil {
		m.redirectURIs, m.hasRedirectURIs = *req.RedirectURIs, true
	}
	if req.ResponseTypes != nil {
		m.responseTypes = *req.ResponseTypes
	}
	if req.GrantTypes != nil {
		m.grantTypes = *req.GrantTypes
	}
	if req.ApplicationType != nil {
		m.applicationType = *req.ApplicationType
	}
	if req.TokenEndpointAuthMethod != nil {
		m.authMethod = *req.TokenEndpointAuthMethod
	}
	if req.ClientName != nil {
		m.clientName = *req.ClientName
	}
	if req.ClientURI != nil {
		m.clientURI, m.hasClientURI = *req.ClientURI, true
	}
	if req.Contacts != nil {
		m.contacts = *req.Contacts
	}
	return m
}

func (m registration) uses(grant string) bool {
	for _, g := range m.grantTypes {
		if g == grant {
			return true
		}
	}
	return false
}

// validate is the metadata check MAS runs before its policy
// (oauth2-types registration: ClientMetadata::validate).
func (m registration) validate() (code, desc string, ok bool) {
	switch m.applicationType {
	case "web", "native":
	default:
		return "invalid_client_metadata", fmt.Sprintf("application_type: unknown value %q", m.applicationType), false
	}
	switch m.authMethod {
	case "none", "client_secret_basic", "client_secret_post":
	case "client_secret_jwt", "private_key_jwt":
		return "invalid_client_metadata", "missing JWK Set for token auth method", false
	default:
		return "invalid_client_metadata", fmt.Sprintf("token_endpoint_auth_method: unknown value %q", m.authMethod), false
	}
	if (m.uses("authorization_code") || m.uses("implicit")) && len(m.redirectURIs) == 0 {
		return "invalid_redirect_uri", "", false
	}
	for _, u := range m.redirectURIs {
		if strings.Contains(u, "#") {
			return "invalid_redirect_uri", "", false
		}
		if _, err := url.Parse(u); err != nil {
			return "invalid_client_metadata", fmt.Sprintf("redirect_uris: invalid URL %q", u), false
		}
	}
	for _, rt := range m.responseTypes {
		for _, part := range strings.Fields(rt) {
			var fits bool
			switch part {
			case "code":
				fits = m.uses("authorization_code")
			case "token":
				fits = m.uses("implicit")
			case "id_token", "none":
				fits = true
			}
			if !fits {
				return "invalid_client_metadata", fmt.Sprintf("'%s' response type not compatible with grant types", rt), false
			}
		}
	}
	return "", "", true
}

// echo is the registered metadata the answer repeats (RFC 7591 §3.2.1).
func (m registration) echo() map[string]any {
	out := map[string]any{
		"redirect_uris":              m.redirectURIs,
		"response_types":             m.responseTypes,
		"grant_types":                m.grantTypes,
		"application_type":           m.applicationType,
		"token_endpoint_auth_method": m.authMethod,
	}
	if m.redirectURIs == nil {
		out["redirect_uris"] = []string{}
	}
	if m.clientName != "" {
		out["client_name"] = m.clientName
	}
	if m.hasClientURI {
		out["client_uri"] = m.clientURI
	}
	for k, v := range map[string]*string{"logo_uri": m.logoURI, "tos_uri": m.tosURI, "policy_uri": m.policyURI} {
		if v != nil {
			out[k] = *v
		}
	}
	if m.contacts != nil {
		out["contacts"] = m.contacts
	}
	return out
}
