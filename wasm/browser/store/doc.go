// Package store is the browser builds' persistence and cross-tab glue for
// mxauth.wasm and session.wasm (DESIGN.md, "Where each concern lives"): a signin.Store on
// hackpadfs's IndexedDB file system whose session values are sealed with
// AES-GCM under a non-extractable WebCrypto key and whose access tokens stay
// in memory (SessionStore, OpenStorage), a Locker on the Web Locks API
// (NewLocker), and a BroadcastChannel carrying session changes to the other
// tabs (OpenChannel).
//
// It needs only the sign-in core (auth/signin), not package auth: the small
// mxauth.wasm links it and must not link net/http. It is apart from package
// browser for hackpadfs and its IndexedDB, which a build that never stores
// anything need not carry.
package store
