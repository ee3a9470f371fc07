//go:build js && wasm

package fetchhttp

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/wasm/browser"
)

// maxResponse bounds a response body read by Transport; package auth
// applies its own, smaller limits on top.
const maxResponse = 8 << 20

// Transport is an http.RoundTripper over browser.Fetch, the page's
// fetch. net/http's own js transport would do in a browser, but it turns
// itself off under Node (go.dev/issue/57613), where the tests run; with
// this one the tests exercise the code pages run. It sends only the
// request headers in sentHeaders and nothing of its own (no User-Agent, no
// custom header: those force CORS preflights) and omits credentials. A
// request that carries a secret (x/oauth2's code exchange and refresh, a
// revocation, a Bearer request) follows no redirect: browser.Fetch fails
// it with network, details.reason "redirect_refused"; public GETs follow in
// fetch.
type Transport struct{}

// sentHeaders are the request headers Transport passes on: the bearer
// token and the CORS-safelisted ones. Libraries add others that a
// homeserver's CORS answer does not allow, and the browser then refuses
// the request after the preflight: go-oidc's JWKS fetch sets
// "Cache-Control: no-cache", which broke every ID-token check in Chromium.
var sentHeaders = map[string]bool{
	"Authorization": true, "Content-Type": true, "Accept": true, "Accept-Language": true, "Content-Language": true,
}

// RoundTrip sends req through browser.Fetch.
func (Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	header := make(map[string]string, len(req.Header))
	for k, v := range req.Header {
		if !sentHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		header[k] = strings.Join(v, ", ")
	}
	resp, err := browser.Fetch(req.Context(), room.Request{
		Method: req.Method, URL: req.URL.String(), Header: header, Body: body, MaxBytes: maxResponse,
	})
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(resp.Header))
	for k, v := range resp.Header {
		h.Set(k, v)
	}
	return &http.Response{
		Status:        strconv.Itoa(resp.Status) + " " + http.StatusText(resp.Status),
		StatusCode:    resp.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(resp.Body)),
		ContentLength: int64(len(resp.Body)),
		Request:       req,
	}, nil
}
