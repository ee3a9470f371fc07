package auth

import (
	"context"

	"github.com/hack-pad/hackpadfs"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// What a signed-out page needs lives in package signin, without net/http,
// so that the small browser build can link it alone. Package auth keeps
// its whole API for Go programs: the names below are signin's, and the
// Client's methods run signin's Client over net/http.

// Types of the sign-in core (package signin).
type (
	// ServerInfo is what Discover learns about a homeserver.
	ServerInfo = signin.ServerInfo
	// OAuthInfo is the part of the auth metadata a client needs.
	OAuthInfo = signin.OAuthInfo
	// LoginInfo is the answer of GET /_matrix/client/v3/login.
	LoginInfo = signin.LoginInfo
	// Hints is what a login screen shows for a server (MSC3824).
	Hints = signin.Hints
	// IdentityProvider is one identity provider of an m.login.sso flow.
	IdentityProvider = signin.IdentityProvider
	// ProviderButton is one identity provider's sign-in button.
	ProviderButton = signin.ProviderButton
	// Unavailable is why a login screen shows no sign-in button.
	Unavailable = signin.Unavailable
	// Step is one request made during discovery.
	Step = signin.Step
	// LoginOptions are the options of StartLogin.
	LoginOptions = signin.LoginOptions
	// PendingLogin is a started login.
	PendingLogin = signin.PendingLogin
	// ClientMetadata describes the application for dynamic registration.
	ClientMetadata = signin.ClientMetadata
	// LocalizedClientMetadata is one language's variant of ClientMetadata.
	LocalizedClientMetadata = signin.LocalizedClientMetadata
	// Scope is an OAuth 2.0 scope token (RFC 6749 §3.3).
	Scope = signin.Scope
	// ResponseMode is how the authorization answer comes back.
	ResponseMode = signin.ResponseMode
	// Action is what a login is for: ActionLogin or ActionRegister.
	Action = signin.Action
	// ApplicationType is a client's RFC 7591 application_type.
	ApplicationType = signin.ApplicationType
	// Rule names a registration check that failed.
	Rule = signin.Rule
	// StepResult is how one discovery request went.
	StepResult = signin.StepResult
	// MetadataSource says where the auth metadata came from.
	MetadataSource = signin.MetadataSource
	// Store keeps mxauth's state; see signin.Store.
	Store = signin.Store
	// MemoryStore is a Store in memory.
	MemoryStore = signin.MemoryStore
	// FSStore is a Store on a hackpadfs.FS; see signin.FSStore.
	FSStore = signin.FSStore
	// Sealer encrypts the values a Client keeps secret; see
	// signin.Sealer.
	Sealer = signin.Sealer
	// Locker serialises work on one key across everything that shares a
	// Store; see signin.Locker.
	Locker = signin.Locker
	// MutexLocker is a Locker inside one process.
	MutexLocker = signin.MutexLocker
	// FileLocker is a Locker across processes on one machine (flock on
	// unix); see signin.FileLocker.
	FileLocker = signin.FileLocker
)

// Matrix scopes (MSC2967, spec v1.15 "Scopes").
const (
	ScopeOpenID            = signin.ScopeOpenID
	ScopeClientAPI         = signin.ScopeClientAPI
	ScopeClientAPIUnstable = signin.ScopeClientAPIUnstable
)

// Response modes, login actions and application types (see signin).
const (
	ResponseModeFragment  = signin.ResponseModeFragment
	ResponseModeQuery     = signin.ResponseModeQuery
	ActionLogin           = signin.ActionLogin
	ActionRegister        = signin.ActionRegister
	ApplicationTypeWeb    = signin.ApplicationTypeWeb
	ApplicationTypeNative = signin.ApplicationTypeNative
)

// Where auth metadata came from, how a discovery step went, and why a
// server gets no sign-in button (see signin).
const (
	SourceStable   = signin.SourceStable
	SourceUnstable = signin.SourceUnstable
	SourceIssuer   = signin.SourceIssuer
	StepOK         = signin.StepOK
	StepAbsent     = signin.StepAbsent

	UnavailablePasswordOnly = signin.UnavailablePasswordOnly
	UnavailableNoFlow       = signin.UnavailableNoFlow
)

// Registration rule names, the "rule" of a registration_failed error's
// Details (see signin).
const (
	RuleRequired       = signin.RuleRequired
	RuleHTTPS          = signin.RuleHTTPS
	RuleNotLoopback    = signin.RuleNotLoopback
	RuleSameHost       = signin.RuleSameHost
	RuleNoFragment     = signin.RuleNoFragment
	RuleURLCharacters  = signin.RuleURLCharacters
	RulePublicSuffix   = signin.RulePublicSuffix
	RuleNativeRedirect = signin.RuleNativeRedirect
	RuleLanguageTag    = signin.RuleLanguageTag
)

// NewFSStore returns a Store that keeps each key as a file under dir of
// fsys; see signin.NewFSStore.
func NewFSStore(fsys hackpadfs.FS, dir string) *FSStore { return signin.NewFSStore(fsys, dir) }

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return signin.NewMemoryStore() }

// WithStepTrace reports every discovery request to fn; see
// signin.WithStepTrace.
func WithStepTrace(ctx context.Context, fn func(Step)) context.Context {
	return signin.WithStepTrace(ctx, fn)
}

// DecideHints is the MSC3824 decision; see signin.DecideHints.
func DecideHints(info *ServerInfo) Hints { return signin.DecideHints(info) }

// ApplicationTypeOf is "native" for a loopback http or private-use
// redirect URI, else "web"; see signin.ApplicationTypeOf.
func ApplicationTypeOf(redirectURI string) ApplicationType {
	return signin.ApplicationTypeOf(redirectURI)
}

// CheckClientMetadata checks meta against the rules MAS enforces; see
// signin.CheckClientMetadata.
func CheckClientMetadata(meta ClientMetadata, redirectURI string) error {
	return signin.CheckClientMetadata(meta, redirectURI)
}

// Discover finds the homeserver named by input: a server name
// ("example.org", "example.org:8448"), a user id ("@alice:example.org") or a
// URL. It runs the spec's client discovery (/.well-known/matrix/client),
// then at once /versions, GET /login and the auth metadata chain, and
// decides what a login screen shows. Results are cached per server name
// (see Client.CacheTTL).
func (c *Client) Discover(ctx context.Context, input string) (*ServerInfo, error) {
	c.init()
	return c.core.Discover(ctx, input)
}

// Check runs a discovery of input without the cache, for diagnostics pages
// and CLIs: it returns what was learned, always with the Steps made, even
// when it also returns an error (then Hints is empty). A nil ServerInfo
// comes back only for input that is not a server name, user id or URL.
func (c *Client) Check(ctx context.Context, input string) (*ServerInfo, error) {
	c.init()
	return c.core.Check(ctx, input)
}

// StartLogin begins an authorization code login with PKCE (RFC 6749 §4.1,
// RFC 7636; spec v1.15 "Login flow"): it finds the server (unless
// opts.ServerInfo is given), registers the client or uses a configured
// client id, makes the PKCE verifier, state, nonce and device id, stores the
// pending login and returns the authorization URL.
func (c *Client) StartLogin(ctx context.Context, opts LoginOptions) (*PendingLogin, error) {
	c.init()
	return c.core.StartLogin(ctx, opts)
}

// register does the cached dynamic registration and also returns the cache
// key, so that a later invalid_client can drop the entry.
func (c *Client) register(ctx context.Context, o *OAuthInfo, meta ClientMetadata, redirectURI string, insecure bool) (string, string, error) {
	c.init()
	return c.core.RegisterAt(ctx, o, meta, redirectURI, insecure)
}

// forgetRegistration drops a cached client id the server no longer knows.
func (c *Client) forgetRegistration(ctx context.Context, key string) {
	c.init()
	c.core.ForgetRegistration(ctx, key)
}

// loginScopes picks the Matrix scopes (MSC2967) and openid for a login.
func loginScopes(info *ServerInfo, deviceID string) []string {
	return signin.LoginScopes(info, deviceID)
}

// pendingRecord is the stored pending login CompleteLogin takes.
type pendingRecord = signin.PendingRecord

const pendingPrefix = signin.PendingPrefix

// checkUserServer holds the user id whoami answered to the server the
// login went to; see signin.Client.CheckUserServer.
func (c *Client) checkUserServer(ctx context.Context, rec *pendingRecord, userID string) (string, error) {
	c.init()
	return c.core.CheckUserServer(ctx, rec, userID)
}

// do sends r through the sign-in core's request path (timeout, body limit,
// 429 retries, the https rule) over this Client's net/http fetch.
func (c *Client) do(ctx context.Context, r signin.Request) (*signin.Response, error) {
	c.init()
	return c.core.Do(ctx, r)
}

// The core's metadata error, for the session part.
func metadataError(op, field, format string, args ...any) *autherr.Error {
	return signin.MetadataError(op, field, format, args...)
}

func originOf(raw string) string { return signin.OriginOf(raw) }

// LegacySSO reports whether a login to info goes the legacy SSO route (no
// auth metadata, m.login.sso offered); see signin.LegacySSO.
func LegacySSO(info *ServerInfo) bool { return signin.LegacySSO(info) }
