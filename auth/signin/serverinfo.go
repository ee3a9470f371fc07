package signin

import "time"

// ServerInfo is what Discover learns about a homeserver. Its JSON names are
// the JavaScript names of CONTRACT.md.
type ServerInfo struct {
	// ServerName is the name the user's input resolved to ("matrix.org",
	// "127.0.0.1:8008").
	ServerName string `json:"serverName"`
	// BaseURL is the client-server API base, without a trailing slash, with
	// any path prefix kept.
	BaseURL          string          `json:"baseUrl"`
	Versions         []string        `json:"versions"`
	UnstableFeatures map[string]bool `json:"unstableFeatures"`
	IdentityServer   string          `json:"identityServer,omitempty"`
	// OAuth is nil when the server does not delegate auth to an OAuth 2.0
	// server (no auth metadata anywhere).
	OAuth *OAuthInfo `json:"oauth"`
	// Login is nil when GET /login failed or is not served.
	Login *LoginInfo `json:"login"`
	// Hints is the MSC3824 decision: what a login screen shows.
	Hints Hints `json:"hints"`
	// Steps records each request of the discovery, for diagnostics pages.
	Steps []Step `json:"steps,omitempty"`
	// Insecure is true when the user named a loopback server, which then may
	// use plain http throughout.
	Insecure bool `json:"insecure,omitempty"`
}

// OAuthInfo is the part of the auth metadata a client needs. The first
// fields are CONTRACT.md's; the rest extend it for the login (ID-token check,
// scopes, response modes).
type OAuthInfo struct {
	Issuer                   string   `json:"issuer"`
	AuthorizationEndpoint    string   `json:"authorizationEndpoint"`
	TokenEndpoint            string   `json:"tokenEndpoint"`
	RegistrationEndpoint     string   `json:"registrationEndpoint,omitempty"`
	RevocationEndpoint       string   `json:"revocationEndpoint,omitempty"`
	AccountManagementURI     string   `json:"accountManagementUri,omitempty"`
	AccountManagementActions []string `json:"accountManagementActions"`
	PromptValues             []string `json:"promptValues"`
	// Source says where the metadata came from.
	Source MetadataSource `json:"source"`

	JWKSURI                     string   `json:"jwksUri,omitempty"`
	UserinfoEndpoint            string   `json:"userinfoEndpoint,omitempty"`
	ScopesSupported             []string `json:"scopesSupported,omitempty"`
	ResponseModesSupported      []string `json:"responseModesSupported,omitempty"`
	IDTokenSigningAlgValues     []string `json:"idTokenSigningAlgValuesSupported,omitempty"`
	DeviceAuthorizationEndpoint string   `json:"deviceAuthorizationEndpoint,omitempty"`
	// IssParameterSupported is authorization_response_iss_parameter_supported
	// (RFC 9207 §3): the server puts iss in every authorization response,
	// so one without it is refused.
	IssParameterSupported bool     `json:"issParameterSupported,omitempty"`
	GrantTypesSupported   []string `json:"grantTypesSupported,omitempty"`
}

// LoginInfo is the answer of GET /_matrix/client/v3/login.
type LoginInfo struct {
	// Flows are the flow types in the server's order ("m.login.sso", …).
	Flows []string `json:"flows"`
	// OAuthAwarePreferred is the m.login.sso flow's oauth_aware_preferred
	// flag or its unstable twin org.matrix.msc3824.delegated_oidc_compatibility.
	OAuthAwarePreferred bool `json:"oauthAwarePreferred"`
	// IdentityProviders are the m.login.sso flow's identity_providers
	// (spec v1.1+ "Client login via SSO"), those with a usable id and
	// name, in the server's order; empty when the server lists none.
	IdentityProviders []IdentityProvider `json:"identityProviders,omitempty"`
}

// Hints is what a login screen shows for a server (MSC3824).
type Hints struct {
	// ContinueWith is the label of the one sign-in button, "Continue with <server>".
	ContinueWith string `json:"continueWith"`
	// ShowCreateAccount: the server offers registration through the OAuth
	// server (prompt=create) or through the OAuth-aware SSO flow (action=register).
	ShowCreateAccount bool `json:"showCreateAccount"`
	// ShowPasswordForm is false whenever the server delegates auth.
	ShowPasswordForm bool `json:"showPasswordForm"`
	// Providers are one button each, in the server's order, when the
	// login goes the legacy SSO route (no auth metadata, no
	// oauth_aware_preferred) and the server lists two or more identity
	// providers; then they replace the ContinueWith button. Empty else.
	Providers []ProviderButton `json:"providers,omitempty"`
	// Unavailable says why there is no sign-in button (ContinueWith and
	// Providers empty); empty when there is one.
	Unavailable Unavailable `json:"unavailable"`
	// Explanation says the same in plain words for the person at the
	// login screen, naming the server; empty when there is a button.
	Explanation string `json:"explanation"`
}

// Unavailable is why a login screen shows no sign-in button (Hints). The
// values are stable: pages match them (the mxauth-error event's
// details.reason).
type Unavailable string

// Reasons for no sign-in button.
const (
	// UnavailablePasswordOnly: the server neither delegates to an OAuth 2.0
	// server nor offers single sign-on, and lists m.login.password; mxauth
	// never asks for a password, so a Matrix app has to sign in there.
	UnavailablePasswordOnly Unavailable = "password_only"
	// UnavailableNoFlow: the server offers no login flow at all that a
	// person could use (no auth metadata, no m.login.sso, no
	// m.login.password, or no answer to GET /login).
	UnavailableNoFlow Unavailable = "no_flow"
)

// Step is one request made during discovery.
type Step struct {
	Name string `json:"name"` // "well-known", "versions", "login", "auth_metadata", …
	URL  string `json:"url"`
	// Status is the HTTP status, 0 when no answer came.
	Status int `json:"status"`
	// Result is StepOK, StepAbsent, "HTTP <status>" for
	// another answer, or the code of the error the step ended with.
	Result   StepResult    `json:"result"`
	Duration time.Duration `json:"durationNs"`
	// CORS is true when the answer carried Access-Control-Allow-Origin.
	CORS  bool   `json:"cors"`
	Error string `json:"error,omitempty"`
}

// MetadataSource says where the auth metadata came from.
type MetadataSource string

// Metadata sources, newest first.
const (
	// SourceStable is GET /_matrix/client/v1/auth_metadata (spec v1.15).
	SourceStable MetadataSource = "stable"
	// SourceUnstable is MSC2965's unstable auth_metadata path.
	SourceUnstable MetadataSource = "unstable"
	// SourceIssuer is the issuer's own openid-configuration, found by
	// auth_issuer or the legacy well-known hint.
	SourceIssuer MetadataSource = "issuer"
)

// StepResult is how one discovery request went.
type StepResult string

// Step results besides an error code or "HTTP <status>".
const (
	StepOK     StepResult = "ok"
	StepAbsent StepResult = "absent" // 404 or unrecognised: discovery moved on
)
