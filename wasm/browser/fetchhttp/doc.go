// Package fetchhttp is an http.RoundTripper over the page's fetch, shared by
// the builds that use net/http in the browser (mxauth.wasm, the demo's
// app.wasm). It lives apart from package browser, which mxauth.wasm links
// and which must not import net/http.
package fetchhttp
