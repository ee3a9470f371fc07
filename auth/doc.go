// Package auth signs people in to Matrix homeservers that delegate login
// to an OAuth 2.0 server (the Matrix Authentication Service; spec v1.15
// "OAuth 2.0 API", MSC3861), for Go programs: servers, bots, CLIs.
//
// A Client holds the configuration; its zero value works. Discover reads
// what a server name, user id or URL leads to (the well-known, /versions,
// the auth metadata) and what a login screen should show (ServerInfo.Hints).
// StartLogin registers the application (RFC 7591, checked against MAS's
// rules first) and returns the authorization URL (RFC 6749 §4.1 with PKCE,
// RFC 7636); CompleteLogin exchanges the code, verifies the ID token and
// asks the homeserver who signed in. StartDeviceLogin and WaitDeviceLogin
// do the same for devices without a browser (RFC 8628). TokenSource hands
// out access tokens, refreshing them with rotation under a Locker so that
// programs sharing a Store never spend a refresh token twice; Logout
// revokes the tokens (RFC 7009) and forgets the session.
//
// State lives in a Store (MemoryStore, FSStore on any hackpadfs file
// system). A Sealer encrypts the values the package keeps secret before
// they reach it; AccessTokens keeps access tokens out of it altogether.
//
// Every error is an *Error with a stable Code (errors.As); the server's own
// errcode and message are kept. The net/http-free core (discovery,
// registration, the authorization request) is package signin, which the
// small browser build links alone.
package auth
