package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAuthorizeErrors(t *testing.T) {
	s := newSandbox(t, Config{AutoApprove: "alice"})
	clientID := registerNative(t, s)
	_, challenge := pkcePair("a")
	dev := "urn:matrix:client:device:ABCDEFGHIJ"
	tests := []struct {
		name   string
		extra  map[string]string
		page   bool   // error shown on a page, not redirected
		err    string // error parameter of the redirect
		inDesc string
	}{
		{name: "ok", extra: nil},
		{name: "unknown client", extra: map[string]string{"client_id": "nope"}, page: true},
		{name: "missing client", extra: map[string]string{"client_id": ""}, page: true},
		{name: "unregistered redirect", extra: map[string]string{"redirect_uri": "http://127.0.0.1:9999/evil"}, page: true},
		{name: "other loopback host", extra: map[string]string{"redirect_uri": "http://localhost:9999/callback"}, page: true},
		{name: "omitted redirect with one registered", extra: map[string]string{"redirect_uri": ""}},
		{name: "response_type token", extra: map[string]string{"response_type": "token"}, err: "unsupported_response_type"},
		{name: "no response_type", extra: map[string]string{"response_type": ""}, err: "invalid_request"},
		{name: "no PKCE", extra: map[string]string{"code_challenge": "", "code_challenge_method": ""}, err: "invalid_request"},
		{name: "plain PKCE", extra: map[string]string{"code_challenge_method": "plain"}, err: "invalid_request", inDesc: "S256"},
		{name: "request object", extra: map[string]string{"request": "x.y.z"}, err: "request_not_supported"},
		{name: "prompt none", extra: map[string]string{"prompt": "none"}, err: "login_required"},
		{name: "bad response_mode", extra: map[string]string{"response_mode": "web_message"}, err: "invalid_request"},
		{name: "unknown scope", extra: map[string]string{"scope": "urn:matrix:client:api:* " + dev + " profile"}, err: "invalid_scope", inDesc: "scope 'profile' not allowed"},
		{name: "mixed stable and unstable", extra: map[string]string{"scope": "urn:matrix:org.matrix.msc2967.client:api:* " + dev}, err: "invalid_scope", inDesc: "cannot mix"},
		{name: "two devices", extra: map[string]string{"scope": "urn:matrix:client:api:* " + dev + " urn:matrix:client:device:KLMNOPQRST"}, err: "invalid_scope", inDesc: "only one device"},
		{name: "short device id", extra: map[string]string{"scope": "urn:matrix:client:api:* urn:matrix:client:device:SHORT"}, err: "invalid_scope"},
		{name: "no device", extra: map[string]string{"scope": "urn:matrix:client:api:*"}, err: "invalid_scope"},
		{name: "device without api", extra: map[string]string{"scope": dev}, err: "invalid_scope"},
		{name: "unstable scopes ok", extra: map[string]string{"scope": "urn:matrix:org.matrix.msc2967.client:api:* urn:matrix:org.matrix.msc2967.client:device:abc.DEF~123"}},
		{name: "device id with sub-delims ok", extra: map[string]string{"scope": "urn:matrix:client:api:* urn:matrix:client:device:a!$&'()*+,;=:@/b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "GET", authorizeURL(s, clientID, challenge, tc.extra), nil, "")
			if tc.page {
				if r.status != http.StatusBadRequest || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
					t.Fatalf("got %d %s want a 400 HTML error page", r.status, r.header.Get("Content-Type"))
				}
				return
			}
			p := redirectParams(t, r)
			if got := p.Get("error"); got != tc.err {
				t.Fatalf("got error %q (%s) want %q", got, p.Get("error_description"), tc.err)
			}
			if tc.err == "" {
				if p.Get("code") == "" {
					t.Errorf("got no code")
				}
				return
			}
			if p.Get("state") != "st4te" {
				t.Errorf("got state %q want st4te on the error redirect", p.Get("state"))
			}
			if p.Get("error_description") == "" || !strings.Contains(p.Get("error_description"), tc.inDesc) {
				t.Errorf("got error_description %q want it to contain %q", p.Get("error_description"), tc.inDesc)
			}
		})
	}
}

func TestResponseModes(t *testing.T) {
	s := newSandbox(t, Config{AutoApprove: "alice"})
	clientID := registerNative(t, s)
	_, challenge := pkcePair("m")
	tests := []struct {
		name, mode string
		check      func(t *testing.T, r reply)
	}{
		{"default is query", "", func(t *testing.T, r reply) {
			u, _ := url.Parse(r.header.Get("Location"))
			if u.Query().Get("code") == "" || u.Fragment != "" {
				t.Errorf("got Location %s want the code in the query", u)
			}
		}},
		{"fragment", "fragment", func(t *testing.T, r reply) {
			u, _ := url.Parse(r.header.Get("Location"))
			f, _ := url.ParseQuery(u.Fragment)
			if f.Get("code") == "" || u.RawQuery != "" {
				t.Errorf("got Location %s want the code in the fragment", u)
			}
		}},
		{"form_post", "form_post", func(t *testing.T, r reply) {
			if r.status != 200 || !strings.Contains(string(r.body), `name="code"`) ||
				!strings.Contains(string(r.body), `action="`+testRedirect+`"`) {
				t.Errorf("got %d %s want a form posting the code", r.status, r.body)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, do(t, "GET", authorizeURL(s, clientID, challenge, map[string]string{"response_mode": tc.mode}), nil, ""))
		})
	}
}

var txRE = regexp.MustCompile(`name="tx" value="([A-Za-z0-9]+)"`)

// TestAuthorizePage walks the HTML page with plain form posts, as a browser
// without JavaScript would.
func TestAuthorizePage(t *testing.T) {
	s := newSandbox(t, Config{PromptCreate: true})
	clientID := registerNative(t, s)
	_, challenge := pkcePair("p")
	post := func(path string, form url.Values) reply { return do(t, "POST", s.URL()+path, form, "") }
	txOf := func(t *testing.T, r reply) string {
		t.Helper()
		m := txRE.FindStringSubmatch(string(r.body))
		if m == nil {
			t.Fatalf("got no tx in page (%d): %s", r.status, r.body)
		}
		return m[1]
	}
	tests := []struct {
		name  string
		extra map[string]string
		steps func(t *testing.T, tx string) reply
		user  string // signed in as; "" for a denial
		err   string
	}{
		{name: "pick listed user", steps: func(t *testing.T, tx string) reply {
			post(pathAuthorizeContinue, url.Values{"tx": {tx}, "action": {"login"}, "user": {"bob"}})
			return post(pathAuthorizeConsent, url.Values{"tx": {tx}, "decision": {"allow"}})
		}, user: "bob"},
		{name: "typed user", steps: func(t *testing.T, tx string) reply {
			post(pathAuthorizeContinue, url.Values{"tx": {tx}, "action": {"login"}, "username": {"alice"}})
			return post(pathAuthorizeConsent, url.Values{"tx": {tx}, "decision": {"allow"}})
		}, user: "alice"},
		{name: "deny", steps: func(t *testing.T, tx string) reply {
			post(pathAuthorizeContinue, url.Values{"tx": {tx}, "action": {"login"}, "user": {"alice"}})
			return post(pathAuthorizeConsent, url.Values{"tx": {tx}, "decision": {"deny"}})
		}, err: "access_denied"},
		{name: "prompt=create", extra: map[string]string{"prompt": "create"}, steps: func(t *testing.T, tx string) reply {
			r := post(pathAuthorizeContinue, url.Values{"tx": {tx}, "action": {"create"}, "username": {"alice"}})
			if r.status != 400 || !strings.Contains(string(r.body), "taken") {
				t.Errorf("creating an existing user: got %d want 400 with 'taken'", r.status)
			}
			r = post(pathAuthorizeContinue, url.Values{"tx": {tx}, "action": {"create"}, "username": {"dave"}})
			if !strings.Contains(string(r.body), "Allow") {
				t.Errorf("after creating: got no consent page: %s", r.body)
			}
			return post(pathAuthorizeConsent, url.Values{"tx": {tx}, "decision": {"allow"}})
		}, user: "dave"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := do(t, "GET", authorizeURL(s, clientID, challenge, tc.extra), nil, "")
			if page.status != 200 || page.header.Get("X-Frame-Options") != "DENY" {
				t.Fatalf("got %d X-Frame-Options %q want 200 DENY", page.status, page.header.Get("X-Frame-Options"))
			}
			if tc.extra["prompt"] == "create" && !strings.Contains(string(page.body), "Create account") {
				t.Errorf("got no Create account form for prompt=create")
			}
			p := redirectParams(t, tc.steps(t, txOf(t, page)))
			if p.Get("error") != tc.err {
				t.Fatalf("got error %q want %q", p.Get("error"), tc.err)
			}
			if tc.user == "" {
				return
			}
			verifier, _ := pkcePair("p")
			tok := do(t, "POST", s.URL()+pathToken, url.Values{
				"grant_type": {"authorization_code"}, "code": {p.Get("code")}, "redirect_uri": {testRedirect},
				"client_id": {clientID}, "code_verifier": {verifier},
			}, "").json(t)
			st, who := whoamiStatus(t, s, tok["access_token"].(string))
			if st != 200 || who["user_id"] != s.UserID(tc.user) {
				t.Errorf("got whoami %d %v want %s", st, who, s.UserID(tc.user))
			}
		})
	}
}

// TestPagesEscape: everything a client or user controls is escaped.
func TestPagesEscape(t *testing.T) {
	s := newSandbox(t, Config{})
	const evil = `<script>alert(1)</script>`
	reg := do(t, "POST", s.URL()+pathRegistration, map[string]any{
		"client_name": evil, "client_uri": "https://app.example.com/",
		"redirect_uris": []string{testRedirect}, "application_type": "native",
		"token_endpoint_auth_method": "none",
	}, "").json(t)
	_, challenge := pkcePair("e")
	pages := []struct {
		name string
		u    string
	}{
		{"authorize page", authorizeURL(s, reg["client_id"].(string), challenge, nil)},
		{"account page", s.URL() + pathAccount + "?action=" + url.QueryEscape(evil) + "&device_id=" + url.QueryEscape(evil)},
		{"error page", s.URL() + pathAuthorize + "?client_id=" + url.QueryEscape(evil)},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "GET", tc.u, nil, "")
			if strings.Contains(string(r.body), evil) {
				t.Errorf("got the raw script in the page")
			}
		})
	}
}

func TestAccountPage(t *testing.T) {
	s := newSandbox(t, Config{})
	tok, err := s.IssueTokens("alice", "ACCOUNTDEV1", "")
	if err != nil {
		t.Fatal(err)
	}
	r := do(t, "GET", s.URL()+pathAccount+"?action=org.matrix.device_delete&device_id=ACCOUNTDEV1", nil, "")
	if r.status != 200 || !strings.Contains(string(r.body), "org.matrix.device_delete") || !strings.Contains(string(r.body), "ACCOUNTDEV1") {
		t.Fatalf("got %d; want the action and device id shown", r.status)
	}
	do(t, "POST", s.URL()+pathAccount, url.Values{"device_id": {"ACCOUNTDEV1"}}, "")
	if st, _ := whoamiStatus(t, s, tok.AccessToken); st != 401 {
		t.Errorf("whoami after signing the device out: got %d want 401", st)
	}
}
