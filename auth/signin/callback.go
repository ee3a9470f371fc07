package signin

import (
	"net/url"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
)

// Callback is the authorization response (RFC 6749 §4.1.2, §4.1.2.1) read
// from the URL the browser came back to.
type Callback struct {
	Code             string
	State            string
	Error            string
	ErrorDescription string
	ErrorURI         string
	// Issuer is the iss parameter of RFC 9207, when the server sent one.
	Issuer string
	// LoginToken is the loginToken query parameter a homeserver adds on
	// its way back from the legacy SSO route (spec "Client login via
	// SSO"); see KindLegacy.
	LoginToken string
}

// maxCallback bounds the callback URL we parse.
const maxCallback = 16 << 10

// ParseCallback reads the authorization response from a redirect URL. The
// parameters are in the fragment (response_mode=fragment) or the query;
// the fragment wins when it carries state, code or error. A bare "?…" or
// "#…" part is accepted too.
func ParseCallback(raw string) (*Callback, error) {
	const op = "callback"
	if len(raw) > maxCallback {
		return nil, autherr.New(autherr.InvalidInput, op, "callback URL longer than %d bytes", maxCallback)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, autherr.New(autherr.InvalidInput, op, "not a URL: %v", err)
	}
	var params url.Values
	if frag := u.EscapedFragment(); frag != "" {
		if v, err := url.ParseQuery(frag); err == nil && (v.Has("state") || v.Has("code") || v.Has("error")) {
			params = v
		}
	}
	if params == nil {
		v, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return nil, autherr.New(autherr.InvalidInput, op, "malformed query: %v", err)
		}
		params = v
	}
	cb := &Callback{
		Code:             params.Get("code"),
		State:            params.Get("state"),
		Error:            params.Get("error"),
		ErrorDescription: params.Get("error_description"),
		ErrorURI:         params.Get("error_uri"),
		Issuer:           params.Get("iss"),
		LoginToken:       params.Get("loginToken"),
	}
	// A parameter given twice is a malformed answer (RFC 6749 §3.1).
	for _, k := range []string{"code", "state", "error", "iss", "loginToken"} {
		if len(params[k]) > 1 {
			return nil, autherr.New(autherr.InvalidInput, op, "parameter %s appears more than once", k)
		}
	}
	if cb.Code == "" && cb.Error == "" && cb.LoginToken == "" {
		return nil, autherr.New(autherr.InvalidInput, op, "the URL carries neither code nor error nor loginToken")
	}
	return cb, nil
}
