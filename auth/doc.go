// Package auth signs people in to Matrix homeservers that delegate login
// to an OAuth 2.0 server (the Matrix Authentication Service; spec v1.15
// "OAuth 2.0 API", MSC3861), for Go programs: servers, bots, CLIs.
//
// A Client's zero value works. Discover reads what a server name, user id
// or URL leads to. StartLogin registers the application (RFC 7591, checked
// against MAS's rules first) and returns the authorization URL (RFC 6749
// §4.1 with PKCE, RFC 7636); CompleteLogin exchanges the code, verifies the
// ID token and asks the homeserver who signed in. StartDeviceLogin and
// WaitDeviceLogin do the same without a browser (RFC 8628). TokenSource
// refreshes with rotation under a Locker, so that programs sharing a Store
// never spend a refresh token twice; Logout revokes the tokens (RFC 7009).
//
// State lives in a Store (MemoryStore, FSStore); a Sealer encrypts its
// secrets, AccessTokens keeps access tokens out of it. Every error is an
// *Error with a stable Code (errors.As), keeping the server's errcode and
// message. The net/http-free core is package signin, which the small
// browser build links alone.
package auth
