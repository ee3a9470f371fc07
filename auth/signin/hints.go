package signin

import "slices"

// DecideHints is the MSC3824 decision (spec v1.18, "OAuth 2.0 aware
// clients"): what a login screen shows for a server. It is the only place
// this decision is made; every renderer (custom elements, demo site) draws
// its result.
//
//   - The server delegates when it has auth metadata or its m.login.sso flow
//     says oauth_aware_preferred. Then there is one "Continue with <server>"
//     button and never a password form.
//   - "Create account" is shown when the OAuth server lists prompt=create in
//     prompt_values_supported. Without metadata, an OAuth-aware SSO flow
//     takes action=register, so it is shown then too.
//   - A password form is shown only when the server does not delegate and
//     lists m.login.password.
//   - A server without auth metadata whose m.login.sso flow is not
//     OAuth-aware and lists two or more identity providers gets one
//     button per provider (Providers) instead of ContinueWith's.
//   - A server with no button says why (Unavailable) and in words
//     (Explanation): password_only when it lists m.login.password, which
//     mxauth never asks for; no_flow when it lists nothing a person could
//     sign in with (no /login answer, or only m.login.token,
//     m.login.application_service and the like).
func DecideHints(info *ServerInfo) Hints {
	var h Hints
	if info == nil {
		return h
	}
	oauthAware := info.Login != nil && info.Login.OAuthAwarePreferred
	sso := info.Login != nil && slices.Contains(info.Login.Flows, "m.login.sso")
	delegates := info.OAuth != nil || oauthAware
	if delegates || sso {
		h.ContinueWith = "Continue with " + info.ServerName
	}
	switch {
	case info.OAuth != nil:
		h.ShowCreateAccount = slices.Contains(info.OAuth.PromptValues, "create")
	case oauthAware:
		h.ShowCreateAccount = true
	}
	h.ShowPasswordForm = !delegates && info.Login != nil && slices.Contains(info.Login.Flows, "m.login.password")
	// The legacy SSO route lists its identity providers as buttons when
	// there is a choice; an OAuth-aware flow offers only itself (spec
	// v1.18: no IdP list), and with one provider the server needs no
	// choice made.
	if sso && !delegates && len(info.Login.IdentityProviders) > 1 {
		for _, p := range info.Login.IdentityProviders {
			h.Providers = append(h.Providers, ProviderButton{IDP: p.ID, Name: p.Name, Icon: p.Icon, Label: "Continue with " + p.Name})
		}
	}
	if h.ContinueWith == "" {
		h.Unavailable, h.Explanation = unavailable(info)
	}
	return h
}

// unavailable is the reason and the sentence of a server that gets no
// sign-in button. The sentence is the one every renderer shows (the
// element's mxauth-error details.explanation, the demo's sign-in page).
func unavailable(info *ServerInfo) (Unavailable, string) {
	name := info.ServerName
	if info.Login != nil && slices.Contains(info.Login.Flows, "m.login.password") {
		return UnavailablePasswordOnly, name + " signs in with a password only, which this page never asks for: " +
			"it sends you to the server's own sign-in page (OAuth 2.0 or single sign-on), and " + name +
			" has none. Use a Matrix app to sign in there."
	}
	return UnavailableNoFlow, name + " offers no sign-in this page can use: it has no sign-in page of its own " +
		"(OAuth 2.0 or single sign-on) and lists no other way to sign in."
}
