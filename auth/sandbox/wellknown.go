package sandbox

import "net/http"

// wellKnown serves GET /.well-known/matrix/client (spec "Server Discovery")
// with the legacy MSC2965 hint that Synapse still adds when it serves the
// well-known and delegates to MAS: {issuer, account}. Clients should read it
// only as a last resort.
func (s *Server) wellKnown(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{"m.homeserver": map[string]string{"base_url": s.url}}
	if !s.cfg.Legacy {
		auth := map[string]string{"issuer": s.advertisedIssuer()}
		if acct := s.accountURI(); acct != "" {
			auth["account"] = acct
		}
		body["org.matrix.msc2965.authentication"] = auth
	}
	writeJSON(w, http.StatusOK, body)
}

// versions serves GET /_matrix/client/versions: every release up to v1.15,
// the first with the OAuth 2.0 API, plus the r0 releases clients still check.
func (s *Server) versions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"versions": []string{
			"r0.0.1", "r0.1.0", "r0.2.0", "r0.3.0", "r0.4.0", "r0.5.0", "r0.6.0", "r0.6.1",
			"v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9",
			"v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15",
		},
		"unstable_features": map[string]bool{
			"org.matrix.msc2965":           true, // auth metadata
			"org.matrix.msc3266":           true, // room summary
			"org.matrix.msc3916.stable":    true, // authenticated media
			"org.matrix.msc3824":           true, // OAuth-aware legacy clients
			"org.matrix.e2e_cross_signing": true,
		},
	})
}

// login serves GET /_matrix/client/v3/login as MAS's compat layer does
// (MSC3824, spec v1.18): m.login.sso carrying both the stable
// oauth_aware_preferred and its unstable twin, m.login.token, and
// m.login.password first when password login is enabled (Off "sso" leaves
// out m.login.sso and m.login.token). POST is refused:
// the sandbox signs people in through OAuth 2.0 only.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.cfg.Legacy && r.Method == http.MethodPost:
		s.tokenLogin(w, r)
		return
	case s.cfg.Legacy:
		s.legacyFlows(w)
		return
	}
	if r.Method == http.MethodPost {
		matrixError(w, http.StatusForbidden, "M_FORBIDDEN", "The sandbox only signs in through OAuth 2.0", nil)
		return
	}
	flows := []map[string]any{}
	if s.cfg.PasswordLogin {
		flows = append(flows, map[string]any{"type": "m.login.password"})
	}
	if !s.isOff(OffSSO) {
		flows = append(flows,
			map[string]any{
				"type":                  "m.login.sso",
				"oauth_aware_preferred": true,
				"org.matrix.msc3824.delegated_oidc_compatibility": true,
			},
			map[string]any{"type": "m.login.token"},
		)
	}
	writeJSON(w, http.StatusOK, map[string]any{"flows": flows})
}

// logout serves POST /_matrix/client/v3/logout. MAS serves it for compat
// tokens only, so an OAuth 2.0 token gets 401 M_UNKNOWN_TOKEN (spec §2.6):
// clients must revoke at the revocation endpoint instead. In legacy mode it
// ends the token's session (legacy.go).
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Legacy {
		s.legacyLogout(w, r)
		return
	}
	matrixError(w, http.StatusUnauthorized, "M_UNKNOWN_TOKEN", "Invalid access token passed.", map[string]any{"soft_logout": false})
}
