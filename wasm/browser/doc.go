// Package browser is the syscall/js glue every mxauth WebAssembly build
// shares (DESIGN.md, "Three WASM builds"): a room.Fetch over the page's
// fetch, the Promise bridge that turns Go calls into Promises rejecting with
// MxAuthError, Go↔JS value conversion, and the well-known resolver.
//
// Files that touch syscall/js are *_js.go with the constraint
// "js && wasm" (not bare "wasm", which also matches WASI). The parts that
// need no JavaScript (error description, the resolver) are plain Go, so
// they build and test natively.
//
// Tests: the syscall/js tests (*_js_test.go) need servers, which
// WebAssembly cannot start, so the native `go test ./wasm/browser` (TestJS)
// starts them on 127.0.0.1 and runs `GOOS=js GOARCH=wasm go test` of this
// package and wasm/mxauth under Node with their URLs in the environment.
// Run directly under GOOS=js, those tests skip.
//
// Nothing here imports net/http: mxauth.wasm links this package and must
// stay without it (a guard test in wasm/mxauth proves it).
package browser
