// Package store is the browser builds' persistence and cross-tab glue for
// mxauth.wasm and session.wasm (DESIGN.md, "Where each concern lives"): a
// signin.Store on hackpadfs's IndexedDB file system, a Sealer that seals
// with AES-GCM under a non-extractable WebCrypto key what package auth
// keeps secret, the access tokens a tab keeps in memory only (Tokens,
// OpenStorage), a Locker on the Web Locks API
// (NewLocker), and a BroadcastChannel carrying session changes to the other
// tabs (OpenChannel).
//
// It needs only the sign-in core (auth/signin), not package auth: the small
// mxauth.wasm links it and must not link net/http. It is apart from package
// browser for hackpadfs and its IndexedDB, which a build that never stores
// anything need not carry.
package store
