package auth

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mxauth/mxauth/auth/serverrule"
	"github.com/mxauth/mxauth/auth/signin"
)

// deviceInfo is a loopback server offering the device grant.
func deviceInfo() *ServerInfo {
	return &ServerInfo{
		ServerName: "127.0.0.1:8008", BaseURL: "http://127.0.0.1:8008", Insecure: true,
		Versions: []string{"v1.18"},
		OAuth: &signin.OAuthInfo{
			Issuer: "http://127.0.0.1:8008/", AuthorizationEndpoint: "http://127.0.0.1:8008/authorize",
			TokenEndpoint: "http://127.0.0.1:8008/oauth2/token", DeviceAuthorizationEndpoint: "http://127.0.0.1:8008/oauth2/device",
			GrantTypesSupported: []string{"authorization_code", "refresh_token", grantTypeDeviceCode},
			Source:              "stable",
		},
	}
}

// FuzzDeviceAuthorizationAnswer feeds any device authorization answer
// through StartDeviceLogin: it never panics, errors carry a code, and what
// it accepts is safe to show (printable codes, URLs that pass checkURL, the
// complete URI on the verification URI's origin) and bounded in time.
func FuzzDeviceAuthorizationAnswer(f *testing.F) {
	f.Add(200, []byte(`{"device_code":"Vq3DRGmEr5yQ1C8IbhtTz7Y0KmO5wJx2","user_code":"7XKCQ2","verification_uri":"http://127.0.0.1:8008/link","verification_uri_complete":"http://127.0.0.1:8008/link?code=7XKCQ2","expires_in":1200,"interval":5}`))
	f.Add(200, []byte(`{"device_code":"d","user_code":"WDJB-MJHT","verification_url":"http://127.0.0.1:8008/device","expires_in":600}`))
	f.Add(200, []byte(`{"device_code":"d","user_code":"\u001b[2J","verification_uri":"http://127.0.0.1:8008/link"}`))
	f.Add(200, []byte(`{"device_code":"d","user_code":"A","verification_uri":"http://127.0.0.1:8008/link","verification_uri_complete":"https://evil.example/link?code=A"}`))
	f.Add(200, []byte(`{"device_code":"d","user_code":"A","verification_uri":"javascript:alert(1)","expires_in":-5,"interval":-1}`))
	f.Add(200, []byte(`{"device_code":"d","user_code":"A","verification_uri":"http://127.0.0.1/l","expires_in":99999999999,"interval":9223372036854775807}`))
	f.Add(401, []byte(`{"error":"unauthorized_client"}`))
	f.Add(400, []byte(`error=invalid_request&error_description=no`))
	f.Add(429, []byte(`{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":10}`))
	f.Add(200, []byte(`[]`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		c := &Client{HTTPClient: &http.Client{Transport: bodyTransport{status, body}}, Retry: instantRetry(), Timeout: time.Second}
		c.Retry.Attempts = 1
		d, err := c.StartDeviceLogin(context.Background(), DeviceLoginOptions{ServerInfo: deviceInfo(), ClientID: "client"})
		if err != nil {
			if codeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if d.deviceCode == "" || d.UserCode == "" || !printable(d.UserCode) || len(d.UserCode) > maxUserCode {
			t.Fatalf("accepted codes %q %q", d.deviceCode, d.UserCode)
		}
		if serverrule.CheckURL(d.VerificationURI, true) != nil {
			t.Fatalf("accepted verification_uri %q", d.VerificationURI)
		}
		if d.VerificationURIComplete != "" && (serverrule.CheckURL(d.VerificationURIComplete, true) != nil ||
			originOf(d.VerificationURIComplete) != originOf(d.VerificationURI)) {
			t.Fatalf("accepted verification_uri_complete %q for %q", d.VerificationURIComplete, d.VerificationURI)
		}
		if d.ExpiresAt.IsZero() || time.Until(d.ExpiresAt) > maxDeviceLife || d.Interval <= 0 {
			t.Fatalf("expiry %v interval %v", d.ExpiresAt, d.Interval)
		}
	})
}

// pollTransport answers the token endpoint with the fuzzed answer and
// whoami with a good one.
type pollTransport struct {
	status int
	body   []byte
}

func (p pollTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	status, body := p.status, string(p.body)
	if strings.HasSuffix(req.URL.Path, "/whoami") {
		status, body = 200, `{"user_id":"@alice:127.0.0.1:8008","device_id":"DEVICEID01"}`
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

// FuzzDevicePollAnswer feeds any token endpoint answer to WaitDeviceLogin's
// polling (x/oauth2's DeviceAccessToken, with its real intervals run on the
// fake clock of a synctest bubble): it never panics or polls past the
// expiry, errors carry a code, and a success is a stored session.
func FuzzDevicePollAnswer(f *testing.F) {
	f.Add(200, []byte(`{"access_token":"mat_x","token_type":"Bearer","expires_in":300,"refresh_token":"mar_y","scope":"urn:matrix:client:api:* urn:matrix:client:device:DEVICEID01"}`))
	f.Add(403, []byte(`{"error":"authorization_pending"}`))
	f.Add(400, []byte(`{"error":"slow_down"}`))
	f.Add(403, []byte(`{"error":"access_denied","error_description":"no"}`))
	f.Add(403, []byte(`{"error":"expired_token"}`))
	f.Add(400, []byte(`{"error":"invalid_grant"}`))
	f.Add(200, []byte(`{"access_token":"x","token_type":"mac"}`))
	f.Add(200, []byte(`{"access_token":"x","token_type":"Bearer","id_token":7}`))
	f.Add(503, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		synctest.Test(t, func(t *testing.T) {
			c := &Client{HTTPClient: &http.Client{Transport: pollTransport{status, body}}, Retry: instantRetry(), Timeout: time.Second}
			c.Retry.Attempts = 1
			c.init()
			info := deviceInfo()
			d := &DeviceLogin{
				UserCode: "ABCDEF", VerificationURI: "http://127.0.0.1:8008/link",
				ExpiresAt: time.Now().Add(time.Minute), Interval: 5 * time.Second, DeviceID: "DEVICEID01",
				deviceCode: "dc",
				rec: pendingRecord{DeviceID: "DEVICEID01", ClientID: "client", Scopes: loginScopes(info, "DEVICEID01"),
					ServerName: info.ServerName, BaseURL: info.BaseURL, Insecure: true, OAuth: *info.OAuth},
			}
			s, err := c.WaitDeviceLogin(context.Background(), d)
			if time.Now().After(d.ExpiresAt.Add(2 * time.Second)) {
				t.Fatalf("polled until %v, the code expired at %v", time.Now(), d.ExpiresAt)
			}
			if err != nil {
				if codeOf(err) == "" {
					t.Fatalf("error without a code: %v", err)
				}
				return
			}
			if s.AccessToken == "" || s.UserID == "" {
				t.Fatalf("session %+v", s)
			}
			if cur, _ := c.Session(context.Background()); cur == nil || cur.AccessToken != s.AccessToken {
				t.Fatal("the session was not stored")
			}
		})
	})
}
