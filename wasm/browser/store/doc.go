// Package store is the browser build's persistence and cross-tab glue for
// mxauth.wasm (DESIGN.md, "Where each concern lives"): an auth.Store on
// hackpadfs's IndexedDB file system whose session values are sealed with
// AES-GCM under a non-extractable WebCrypto key and whose access tokens stay
// in memory (SessionStore, OpenStorage), a Locker on the Web Locks API
// (NewLocker), and a BroadcastChannel carrying session changes to the other
// tabs (OpenChannel).
//
// It is apart from package browser because it needs package auth and with
// it net/http, which preview.wasm must not link.
package store
