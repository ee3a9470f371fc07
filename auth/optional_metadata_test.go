package auth

import (
	"context"
	"net/url"

	"github.com/mxauth/mxauth/auth/autherr"
	"testing"
)

// withoutFields drops metadata fields the login can do without.
func withoutFields(fields ...string) func(m map[string]any) {
	return func(m map[string]any) {
		for _, f := range fields {
			delete(m, f)
		}
	}
}

// TestLoginWithoutRegistration: a server without dynamic registration
// (and without the lists RFC 8414 lets a server leave out) signs people in
// when the page brings a client id, and is refused, naming
// registration_endpoint, only when the login would have to register.
func TestLoginWithoutRegistration(t *testing.T) {
	for _, tt := range []struct {
		name     string
		drop     []string
		optionID bool // LoginOptions.ClientID
		issuerID bool // Client.ClientIDs[issuer]
		field    string
		wantID   string
	}{
		{name: "client id in the options", drop: []string{"registration_endpoint"}, optionID: true, wantID: "page-client"},
		{name: "client id per issuer", drop: []string{"registration_endpoint"}, issuerID: true, wantID: "issuer-client"},
		{name: "no client id", drop: []string{"registration_endpoint"}, field: "registration_endpoint"},
		{name: "no lists, dynamic registration", drop: []string{"response_modes_supported", "grant_types_supported"}, wantID: "hostile-client"},
		{name: "nothing optional", drop: []string{"registration_endpoint", "revocation_endpoint", "response_modes_supported", "grant_types_supported"}, optionID: true, wantID: "page-client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostile(t)
			h.metadata = withoutFields(tt.drop...)
			c := hostileClient(nil)
			if tt.issuerID {
				c.ClientIDs = map[string]string{h.issuer(): "issuer-client"}
			}
			opts := LoginOptions{Server: h.URL, RedirectURI: testRedirect, Client: testApp}
			if tt.optionID {
				opts.ClientID = "page-client"
			}
			p, err := c.StartLogin(context.Background(), opts)
			if tt.field != "" {
				e := wantCode(t, err, autherr.MetadataInvalid)
				if e.Details["field"] != tt.field || e.Details["reason"] != "missing" {
					t.Errorf("details %v, want field %s, reason missing", e.Details, tt.field)
				}
				if n := h.hitCount(pRegister); n != 0 {
					t.Errorf("registration endpoint asked %d times", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("StartLogin: %v", err)
			}
			if p.ClientID != tt.wantID {
				t.Errorf("client id %q, want %q", p.ClientID, tt.wantID)
			}
			u, _ := url.Parse(p.URL)
			h.mu.Lock()
			h.nonce = u.Query().Get("nonce")
			h.mu.Unlock()
			s, err := c.CompleteLogin(context.Background(), testRedirect+"#code=c&state="+p.State)
			if err != nil {
				t.Fatalf("CompleteLogin: %v", err)
			}
			if s.ClientID != tt.wantID {
				t.Errorf("session client id %q", s.ClientID)
			}
		})
	}
}

// TestDeviceLoginWithoutRegistration: the device grant with a client id
// needs no registration endpoint; without one it is refused by name before
// any request for a device code.
func TestDeviceLoginWithoutRegistration(t *testing.T) {
	for _, tt := range []struct {
		name     string
		clientID string
		field    string
	}{
		{name: "client id", clientID: "tv-client"},
		{name: "no client id", field: "registration_endpoint"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostile(t)
			h.metadata = func(m map[string]any) {
				delete(m, "registration_endpoint")
				m["device_authorization_endpoint"] = h.URL + "/oauth2/device"
				m["grant_types_supported"] = []string{"authorization_code", "refresh_token", grantTypeDeviceCode}
			}
			h.on("/oauth2/device", jsonHandler(200, `{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"`+h.URL+`/link","expires_in":600,"interval":5}`))
			d, err := hostileClient(nil).StartDeviceLogin(context.Background(), DeviceLoginOptions{Server: h.URL, Client: testApp, ClientID: tt.clientID})
			if tt.field != "" {
				e := wantCode(t, err, autherr.MetadataInvalid)
				if e.Details["field"] != tt.field || h.hitCount("/oauth2/device") != 0 || h.hitCount(pRegister) != 0 {
					t.Errorf("details %v, device asked %d times", e.Details, h.hitCount("/oauth2/device"))
				}
				return
			}
			if err != nil {
				t.Fatalf("StartDeviceLogin: %v", err)
			}
			if d.UserCode != "ABCD-EFGH" {
				t.Errorf("user code %q", d.UserCode)
			}
		})
	}
}

// TestLogoutWithoutRevocation: sign-out at a server without a revocation
// endpoint forgets the session here and reports, naming the field, that
// neither token was revoked; nothing is sent.
func TestLogoutWithoutRevocation(t *testing.T) {
	h := newHostile(t)
	h.metadata = withoutFields("revocation_endpoint")
	c := hostileClient(nil)
	s := h.login(t, c)
	err := c.Logout(context.Background(), s)
	e := wantCode(t, err, autherr.MetadataInvalid)
	want := map[string]string{"field": "revocation_endpoint", "reason": "missing", "sessionForgotten": "true", "refreshToken": "not revoked", "accessToken": "not revoked"}
	for k, v := range want {
		if e.Details[k] != v {
			t.Errorf("details %s = %q, want %q (all: %v)", k, e.Details[k], v, e.Details)
		}
	}
	if n := h.hitCount(pRevoke); n != 0 {
		t.Errorf("revocation asked %d times", n)
	}
	if cur, _ := c.Session(context.Background()); cur != nil {
		t.Error("the session was kept")
	}
	// With the endpoint, the same logout revokes both tokens and says nothing.
	h.metadata = nil
	c = hostileClient(nil)
	if err := c.Logout(context.Background(), h.login(t, c)); err != nil {
		t.Fatal(err)
	}
	if n := h.hitCount(pRevoke); n != 2 {
		t.Errorf("revocation asked %d times, want 2", n)
	}
}
