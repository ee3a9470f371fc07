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

// Types of the sign-in core (package signin) that a call here takes or
// returns. The rest of the core's names (the parts of a ServerInfo,
// scopes, registration rules) are signin's own.
type (
	// ServerInfo is what Discover learns about a homeserver.
	ServerInfo = signin.ServerInfo
	// LoginOptions are the options of StartLogin.
	LoginOptions = signin.LoginOptions
	// PendingLogin is a started login.
	PendingLogin = signin.PendingLogin
	// ClientMetadata describes the application for dynamic registration.
	ClientMetadata = signin.ClientMetadata
	// ResponseMode is how the authorization answer comes back.
	ResponseMode = signin.ResponseMode
	// Action is what a login is for.
	Action = signin.Action
	// Store keeps mxauth's state; see signin.Store.
	Store = signin.Store
	// MemoryStore is a Store in memory.
	MemoryStore = signin.MemoryStore
	// FSStore is a Store on a hackpadfs.FS; see signin.FSStore.
	FSStore = signin.FSStore
	// Sealer encrypts the values a Client keeps secret; see
	// signin.Sealer.
	Sealer = signin.Sealer
	// Locker serialises work on one key across everything sharing a Store.
	Locker = signin.Locker
	// MutexLocker is a Locker inside one process.
	MutexLocker = signin.MutexLocker
	// FileLocker is a Locker across processes (flock on unix).
	FileLocker = signin.FileLocker
)

// Response modes (a loopback redirect needs query: a server never sees
// the fragment).
const (
	ResponseModeFragment ResponseMode = signin.ResponseModeFragment
	ResponseModeQuery    ResponseMode = signin.ResponseModeQuery
)

// Login actions; register asks for the sign-up page (prompt=create).
const (
	ActionLogin    Action = signin.ActionLogin
	ActionRegister Action = signin.ActionRegister
)

// NewFSStore returns a Store keeping each key as a file under dir of fsys.
func NewFSStore(fsys hackpadfs.FS, dir string) *FSStore { return signin.NewFSStore(fsys, dir) }

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return signin.NewMemoryStore() }

// Discover finds the homeserver named by input: a server name
// ("example.org:8448"), a user id ("@alice:example.org") or a URL, through
// the spec's client discovery, /versions, GET /login and the auth metadata.
// Results are cached per server name (see Client.CacheTTL).
func (c *Client) Discover(ctx context.Context, input string) (*ServerInfo, error) {
	c.init()
	return c.core.Discover(ctx, input)
}

// Check is Discover without the cache, for diagnostics: it returns what was
// learned with the Steps made even beside an error (then Hints is empty),
// and nil only for input that is not a server name, user id or URL.
func (c *Client) Check(ctx context.Context, input string) (*ServerInfo, error) {
	c.init()
	return c.core.Check(ctx, input)
}

// StartLogin begins an authorization code login with PKCE (RFC 6749 §4.1,
// RFC 7636; spec v1.15 "Login flow"): it finds the server (unless
// opts.ServerInfo is given), registers the client unless it has a client
// id, stores the pending login and returns the authorization URL.
func (c *Client) StartLogin(ctx context.Context, opts LoginOptions) (*PendingLogin, error) {
	c.init()
	return c.core.StartLogin(ctx, opts)
}

// register does the cached dynamic registration and also returns the cache
// key, so that a later invalid_client can drop the entry.
func (c *Client) register(ctx context.Context, o *signin.OAuthInfo, meta ClientMetadata, redirectURI string, insecure bool) (string, string, error) {
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
