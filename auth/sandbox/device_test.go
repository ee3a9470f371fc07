package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// registerDevice registers a public native device client, as MAS's tests do
// (no redirect URIs, response_types []).
func registerDevice(t *testing.T, s *Server, grants ...string) string {
	t.Helper()
	r := do(t, "POST", s.URL()+pathRegistration, map[string]any{
		"client_name":                "TV",
		"client_uri":                 "https://client.example.com/",
		"application_type":           "native",
		"token_endpoint_auth_method": "none",
		"grant_types":                grants,
		"response_types":             []string{},
	}, "")
	if r.status != http.StatusCreated {
		t.Fatalf("register: got %d %s want 201", r.status, r.body)
	}
	return r.json(t)["client_id"].(string)
}

const deviceScope = "openid urn:matrix:client:api:* urn:matrix:client:device:TVDEVICE01"

func startDevice(t *testing.T, s *Server, clientID, scope string) map[string]any {
	t.Helper()
	r := do(t, "POST", s.URL()+pathDeviceAuthorization, url.Values{"client_id": {clientID}, "scope": {scope}}, "")
	if r.status != http.StatusOK {
		t.Fatalf("device authorization: got %d %s want 200", r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q want no-store", r.header.Get("Cache-Control"))
	}
	return r.json(t)
}

func pollDevice(t *testing.T, s *Server, clientID, deviceCode string) reply {
	t.Helper()
	return do(t, "POST", s.URL()+pathToken, url.Values{
		"grant_type": {grantTypeDeviceCode}, "device_code": {deviceCode}, "client_id": {clientID},
	}, "")
}

func wantOAuthError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.json(t)["error"] != code {
		t.Fatalf("got %d %s want %d %s", r.status, r.body, status, code)
	}
}

func TestDeviceMetadata(t *testing.T) {
	s := newSandbox(t, Config{})
	m := do(t, "GET", s.URL()+"/_matrix/client/v1/auth_metadata", nil, "").json(t)
	if m["device_authorization_endpoint"] != s.URL()+pathDeviceAuthorization {
		t.Errorf("device_authorization_endpoint %v", m["device_authorization_endpoint"])
	}
	if !slices.Contains(anyStrings(m["grant_types_supported"]), grantTypeDeviceCode) {
		t.Errorf("grant_types_supported %v lacks the device code grant", m["grant_types_supported"])
	}
	s.SetOff(OffDeviceCode, true)
	m = do(t, "GET", s.URL()+"/_matrix/client/v1/auth_metadata", nil, "").json(t)
	if _, ok := m["device_authorization_endpoint"]; ok || slices.Contains(anyStrings(m["grant_types_supported"]), grantTypeDeviceCode) {
		t.Errorf("switched off but still listed: %v %v", m["device_authorization_endpoint"], m["grant_types_supported"])
	}
	if r := do(t, "POST", s.URL()+pathDeviceAuthorization, url.Values{"client_id": {"x"}}, ""); r.status != http.StatusNotFound {
		t.Errorf("switched-off endpoint answered %d", r.status)
	}
}

func anyStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestDeviceAuthorizationAnswer(t *testing.T) {
	clock := newFakeClock()
	s := newSandbox(t, Config{Now: clock.Now})
	id := registerDevice(t, s, grantTypeDeviceCode, "refresh_token")
	a := startDevice(t, s, id, deviceScope)
	code, _ := a["user_code"].(string)
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{6}$`).MatchString(code) {
		t.Errorf("user_code %q is not 6 characters of Crockford's base 32", code)
	}
	if dc, _ := a["device_code"].(string); !regexp.MustCompile(`^[A-Za-z0-9]{32}$`).MatchString(dc) {
		t.Errorf("device_code %q", dc)
	}
	if a["verification_uri"] != s.URL()+"/link" || a["verification_uri_complete"] != s.URL()+"/link?code="+code {
		t.Errorf("verification URIs %v %v", a["verification_uri"], a["verification_uri_complete"])
	}
	if a["expires_in"] != float64(1200) || a["interval"] != float64(5) {
		t.Errorf("expires_in %v interval %v want MAS's 1200 and 5", a["expires_in"], a["interval"])
	}

	// A client registered without the grant may not start one (MAS: 401).
	plain := registerNative(t, s)
	r := do(t, "POST", s.URL()+pathDeviceAuthorization, url.Values{"client_id": {plain}}, "")
	wantOAuthError(t, r, http.StatusUnauthorized, "unauthorized_client")
	r = do(t, "POST", s.URL()+pathDeviceAuthorization, url.Values{"client_id": {"nobody"}}, "")
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client")
}

func TestDeviceApproveAndPoll(t *testing.T) {
	clock := newFakeClock()
	s := newSandbox(t, Config{Now: clock.Now})
	id := registerDevice(t, s, grantTypeDeviceCode, "refresh_token")
	a := startDevice(t, s, id, deviceScope)
	dc, code := a["device_code"].(string), a["user_code"].(string)

	wantOAuthError(t, pollDevice(t, s, id, dc), http.StatusForbidden, "authorization_pending")
	clock.Advance(time.Second)
	wantOAuthError(t, pollDevice(t, s, id, dc), http.StatusBadRequest, "slow_down")
	clock.Advance(5 * time.Second)
	wantOAuthError(t, pollDevice(t, s, id, dc), http.StatusForbidden, "authorization_pending")
	other := registerDevice(t, s, grantTypeDeviceCode)
	wantOAuthError(t, pollDevice(t, s, other, dc), http.StatusBadRequest, "invalid_grant")

	// The person types the code in lower case with a dash, and an O for 0
	// where there is one: the link page finds it and sends them on.
	typed := strings.ToLower(code[:3] + "-" + code[3:])
	typed = strings.ReplaceAll(strings.ReplaceAll(typed, "0", "o"), "1", "l")
	r := do(t, "GET", s.URL()+"/link?"+url.Values{"code": {typed}}.Encode(), nil, "")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), pathDeviceConsent) {
		t.Fatalf("link: got %d %q want 303 to the consent page", r.status, r.header.Get("Location"))
	}
	consent := s.URL() + r.header.Get("Location")
	if page := do(t, "GET", consent, nil, ""); page.status != 200 || !strings.Contains(string(page.body), code) {
		t.Fatalf("consent page: %d, code shown: %v", page.status, strings.Contains(string(page.body), code))
	}
	if page := do(t, "POST", consent, url.Values{"decision": {"allow"}, "user": {"alice"}}, ""); page.status != 200 {
		t.Fatalf("allow: %d %s", page.status, page.body)
	}
	clock.Advance(5 * time.Second)
	r = pollDevice(t, s, id, dc)
	if r.status != http.StatusOK {
		t.Fatalf("poll after approval: %d %s", r.status, r.body)
	}
	tok := r.json(t)
	if tok["refresh_token"] == nil || tok["id_token"] == nil || tok["scope"] != deviceScope {
		t.Errorf("token answer %v", tok)
	}
	w := do(t, "GET", s.URL()+"/_matrix/client/v3/account/whoami", nil, tok["access_token"].(string)).json(t)
	if w["user_id"] != s.UserID("alice") || w["device_id"] != "TVDEVICE01" {
		t.Errorf("whoami %v", w)
	}
	clock.Advance(5 * time.Second)
	wantOAuthError(t, pollDevice(t, s, id, dc), http.StatusBadRequest, "invalid_grant")
	if page := do(t, "GET", consent, nil, ""); page.status != http.StatusBadRequest {
		t.Errorf("consent page of an answered code: %d", page.status)
	}
}

func TestDeviceDenyExpiryAndPolicy(t *testing.T) {
	clock := newFakeClock()
	s := newSandbox(t, Config{Now: clock.Now, DeviceCodeTTL: time.Minute, Control: true})
	id := registerDevice(t, s, grantTypeDeviceCode)

	a := startDevice(t, s, id, deviceScope)
	if a["expires_in"] != float64(60) {
		t.Errorf("expires_in %v want 60", a["expires_in"])
	}
	r := do(t, "POST", s.URL()+"/_sandbox/device", map[string]any{"userCode": a["user_code"], "allow": false}, "")
	if r.status != 200 {
		t.Fatalf("control deny: %d %s", r.status, r.body)
	}
	wantOAuthError(t, pollDevice(t, s, id, a["device_code"].(string)), http.StatusForbidden, "access_denied")
	if err := s.DecideDevice(a["user_code"].(string), "alice", true); err != ErrUnknownUserCode {
		t.Errorf("second answer: %v want ErrUnknownUserCode", err)
	}

	b := startDevice(t, s, id, deviceScope)
	clock.Advance(time.Minute)
	wantOAuthError(t, pollDevice(t, s, id, b["device_code"].(string)), http.StatusForbidden, "expired_token")
	if err := s.DecideDevice(b["user_code"].(string), "alice", true); err != ErrUnknownUserCode {
		t.Errorf("approving an expired code: %v", err)
	}

	// MAS's grant policy applies at consent: the API scope needs a device.
	c := startDevice(t, s, id, "urn:matrix:client:api:*")
	if err := s.DecideDevice(c["user_code"].(string), "alice", true); err == nil || !strings.Contains(err.Error(), "device scope") {
		t.Errorf("approval of a scope without device: %v", err)
	}
	if err := s.DecideDevice(c["user_code"].(string), "nobody", true); err != ErrUnknownUser {
		t.Errorf("unknown user: %v", err)
	}
	// No refresh token for a client not registered for the grant.
	d := startDevice(t, s, id, deviceScope)
	if err := s.DecideDevice(d["user_code"].(string), "bob", true); err != nil {
		t.Fatal(err)
	}
	tok := pollDevice(t, s, id, d["device_code"].(string)).json(t)
	if tok["access_token"] == nil || tok["refresh_token"] != nil {
		t.Errorf("token answer %v: want an access token and no refresh token", tok)
	}
}

// Deny on the consent page: the poll says access_denied and the page says so.
func TestDeviceDenyOnPage(t *testing.T) {
	s := newSandbox(t, Config{})
	id := registerDevice(t, s, grantTypeDeviceCode)
	a := startDevice(t, s, id, deviceScope)
	r := do(t, "POST", s.URL()+"/link", url.Values{"code": {a["user_code"].(string)}}, "")
	if r.status != http.StatusSeeOther {
		t.Fatalf("link: %d", r.status)
	}
	page := do(t, "POST", s.URL()+r.header.Get("Location"), url.Values{"decision": {"deny"}}, "")
	if page.status != 200 || !strings.Contains(string(page.body), "denied") {
		t.Fatalf("deny: %d %s", page.status, page.body)
	}
	wantOAuthError(t, pollDevice(t, s, id, a["device_code"].(string)), http.StatusForbidden, "access_denied")
}

func TestDeviceLinkRateLimit(t *testing.T) {
	s := newSandbox(t, Config{})
	for i := range linkAttempts {
		if r := do(t, "POST", s.URL()+"/link", url.Values{"code": {"ZZZZZZ"}}, ""); r.status != http.StatusBadRequest {
			t.Fatalf("try %d: %d", i, r.status)
		}
	}
	r := do(t, "POST", s.URL()+"/link", url.Values{"code": {"ZZZZZZ"}}, "")
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("try past the allowance: %d", r.status)
	}
	if r := do(t, "GET", s.URL()+"/link", nil, ""); r.status != 200 || !strings.Contains(string(r.body), `name="code"`) {
		t.Errorf("empty link page: %d", r.status)
	}
}
