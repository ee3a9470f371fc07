package sandbox

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func whoamiStatus(t *testing.T, s *Server, token string) (int, map[string]any) {
	t.Helper()
	r := do(t, "GET", s.URL()+"/_matrix/client/v3/account/whoami", nil, token)
	return r.status, r.json(t)
}

// TestCodeFlow runs authorize (AutoApprove) → token → whoami → refresh →
// revoke with plain net/http, as a client would.
func TestCodeFlow(t *testing.T) {
	s := newSandbox(t, Config{AutoApprove: "alice"})
	clientID := registerNative(t, s)

	verifier, challenge := pkcePair("v")
	// The loopback redirect matches on any port (RFC 8252 §7.3).
	redirect := "http://127.0.0.1:4321/callback"
	params := redirectParams(t, do(t, "GET", authorizeURL(s, clientID, challenge, map[string]string{"redirect_uri": redirect}), nil, ""))
	if got := params.Get("state"); got != "st4te" {
		t.Errorf("got state %q want st4te", got)
	}
	if got := params.Get("iss"); got != s.Issuer() {
		t.Errorf("got iss %q want %q", got, s.Issuer())
	}
	code := params.Get("code")

	tok := do(t, "POST", s.URL()+pathToken, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"client_id": {clientID}, "code_verifier": {verifier},
	}, "")
	if tok.status != http.StatusOK {
		t.Fatalf("token: got %d %s want 200", tok.status, tok.body)
	}
	if got := tok.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("got Cache-Control %q want no-store", got)
	}
	m := tok.json(t)
	for _, k := range []string{"access_token", "refresh_token", "id_token", "scope"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("got no %s in %s", k, tok.body)
		}
	}
	if m["token_type"] != "Bearer" || m["expires_in"] != float64(300) {
		t.Errorf("got token_type %v expires_in %v want Bearer 300", m["token_type"], m["expires_in"])
	}
	at, rt := m["access_token"].(string), m["refresh_token"].(string)

	st, who := whoamiStatus(t, s, at)
	if st != 200 || who["user_id"] != "@alice:"+s.ServerName() || who["device_id"] != "ABCDEFGHIJ" || who["is_guest"] != false {
		t.Fatalf("whoami: got %d %v", st, who)
	}

	// Refresh rotates and revokes the old access token at once.
	r2 := refresh(t, s, clientID, rt)
	if r2.status != 200 {
		t.Fatalf("refresh: got %d %s want 200", r2.status, r2.body)
	}
	m2 := r2.json(t)
	at2, rt2 := m2["access_token"].(string), m2["refresh_token"].(string)
	if at2 == at || rt2 == rt {
		t.Errorf("got the same tokens back; want rotation")
	}
	if _, ok := m2["id_token"]; ok {
		t.Errorf("got an id_token on refresh; MAS sends none")
	}
	if st, body := whoamiStatus(t, s, at); st != 401 || body["errcode"] != "M_UNKNOWN_TOKEN" {
		t.Errorf("old access token: got %d %v want 401 M_UNKNOWN_TOKEN", st, body)
	}
	if st, _ := whoamiStatus(t, s, at2); st != 200 {
		t.Errorf("new access token: got %d want 200", st)
	}
	// rt's successor has been used: rt is now a replay.
	if r := refresh(t, s, clientID, rt); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("reused refresh token: got %d %s want 400 invalid_grant", r.status, r.body)
	}

	// Revocation needs the client, ends the session: both tokens die.
	if r := do(t, "POST", s.URL()+pathRevoke, url.Values{"token": {rt2}}, ""); r.status != 400 ||
		r.json(t)["error"] != "invalid_request" || r.json(t)["error_description"] != "No credentials were presented" {
		t.Errorf("revoke without client_id: got %d %s", r.status, r.body)
	}
	if r := do(t, "POST", s.URL()+pathRevoke, url.Values{"token": {rt2}, "client_id": {"nope"}}, ""); r.status != 401 || r.json(t)["error"] != "invalid_client" {
		t.Errorf("revoke with unknown client: got %d %s", r.status, r.body)
	}
	other := registerNative(t, s, "authorization_code")
	if r := do(t, "POST", s.URL()+pathRevoke, url.Values{"token": {rt2}, "client_id": {other}}, ""); r.status != 401 || r.json(t)["error"] != "unauthorized_client" {
		t.Errorf("revoke another client's token: got %d %s", r.status, r.body)
	}
	if r := do(t, "POST", s.URL()+pathRevoke, url.Values{"token": {rt2}, "token_type_hint": {"refresh_token"}, "client_id": {clientID}}, ""); r.status != 200 {
		t.Fatalf("revoke: got %d %s want 200", r.status, r.body)
	}
	if st, _ := whoamiStatus(t, s, at2); st != 401 {
		t.Errorf("access token after revoking the refresh token: got %d want 401", st)
	}
	if r := refresh(t, s, clientID, rt2); r.status != 400 {
		t.Errorf("refresh after revoke: got %d want 400", r.status)
	}
	if r := do(t, "POST", s.URL()+pathRevoke, url.Values{"token": {"mat_unknown"}, "client_id": {clientID}}, ""); r.status != 200 {
		t.Errorf("revoke unknown token: got %d want 200", r.status)
	}
}

// TestRefreshLostResponseGrace: a refresh whose answer was lost may be
// retried with the old refresh token, once, while the new tokens are unused.
func TestRefreshLostResponseGrace(t *testing.T) {
	s := newSandbox(t, Config{AutoApprove: "bob"})
	clientID := registerNative(t, s)
	m := login(t, s, clientID, "g")
	rt := m["refresh_token"].(string)

	lost := refresh(t, s, clientID, rt).json(t) // the client never saw this
	retry := refresh(t, s, clientID, rt)
	if retry.status != 200 {
		t.Fatalf("retry with the old refresh token: got %d %s want 200", retry.status, retry.body)
	}
	if st, _ := whoamiStatus(t, s, lost["access_token"].(string)); st != 401 {
		t.Errorf("lost access token after the retry: got %d want 401 (revoked)", st)
	}
	if r := refresh(t, s, clientID, lost["refresh_token"].(string)); r.status != 400 {
		t.Errorf("lost refresh token after the retry: got %d want 400", r.status)
	}
	// Once the retried tokens are used, the old refresh token is dead.
	got := retry.json(t)
	if st, _ := whoamiStatus(t, s, got["access_token"].(string)); st != 200 {
		t.Fatalf("retried access token: got %d want 200", st)
	}
	if r := refresh(t, s, clientID, rt); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("old refresh token after use of its successor: got %d %s want 400 invalid_grant", r.status, r.body)
	}
}

func TestTokenErrors(t *testing.T) {
	clock := newFakeClock()
	s := newSandbox(t, Config{AutoApprove: "alice", Now: clock.Now})
	clientID := registerNative(t, s)
	noRefresh := registerNative(t, s, "authorization_code")

	newCode := func(client string) (code, verifier string) {
		verifier, challenge := pkcePair("c" + client)
		return redirectParams(t, do(t, "GET", authorizeURL(s, client, challenge, nil), nil, "")).Get("code"), verifier
	}
	exchange := func(code, verifier, client, redirect string) reply {
		return do(t, "POST", s.URL()+pathToken, url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
			"client_id": {client}, "code_verifier": {verifier},
		}, "")
	}
	tests := []struct {
		name   string
		run    func() reply
		status int
		err    string
	}{
		{"no client", func() reply {
			return do(t, "POST", s.URL()+pathToken, url.Values{"grant_type": {"authorization_code"}}, "")
		}, 400, "invalid_request"},
		{"unknown client", func() reply {
			return do(t, "POST", s.URL()+pathToken, url.Values{"grant_type": {"authorization_code"}, "client_id": {"x"}}, "")
		}, 401, "invalid_client"},
		{"unsupported grant", func() reply {
			return do(t, "POST", s.URL()+pathToken, url.Values{"grant_type": {"password"}, "client_id": {clientID}}, "")
		}, 400, "unsupported_grant_type"},
		{"unknown code", func() reply { return exchange("nope", "x", clientID, testRedirect) }, 400, "invalid_grant"},
		{"wrong verifier", func() reply {
			code, _ := newCode(clientID)
			v, _ := pkcePair("other")
			return exchange(code, v, clientID, testRedirect)
		}, 400, "invalid_grant"},
		{"missing verifier", func() reply {
			code, _ := newCode(clientID)
			return exchange(code, "", clientID, testRedirect)
		}, 400, "invalid_request"},
		{"redirect_uri mismatch", func() reply {
			code, v := newCode(clientID)
			return exchange(code, v, clientID, "http://127.0.0.1:9999/other")
		}, 400, "invalid_grant"},
		{"other client", func() reply {
			code, v := newCode(clientID)
			return exchange(code, v, noRefresh, testRedirect)
		}, 401, "unauthorized_client"},
		{"expired code", func() reply {
			code, v := newCode(clientID)
			clock.Advance(11 * time.Minute)
			return exchange(code, v, clientID, testRedirect)
		}, 400, "invalid_grant"},
		{"refresh without refresh_token grant", func() reply {
			code, v := newCode(noRefresh)
			m := exchange(code, v, noRefresh, testRedirect).json(t)
			return refresh(t, s, noRefresh, m["refresh_token"].(string))
		}, 401, "unauthorized_client"},
		{"unknown refresh token", func() reply { return refresh(t, s, clientID, "mar_nope") }, 400, "invalid_grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.run()
			if r.status != tc.status {
				t.Fatalf("got %d %s want %d", r.status, r.body, tc.status)
			}
			if got := r.json(t)["error"]; got != tc.err {
				t.Errorf("got error %v want %s", got, tc.err)
			}
		})
	}
}

// TestCodeReplay: a used code fails invalid_grant; replayed more than 20 s
// after its first use it also ends the session (MAS).
func TestCodeReplay(t *testing.T) {
	tests := []struct {
		name        string
		after       time.Duration
		sessionDies bool
	}{
		{name: "quick double submit", after: 5 * time.Second, sessionDies: false},
		{name: "late replay", after: 30 * time.Second, sessionDies: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			s := newSandbox(t, Config{AutoApprove: "alice", Now: clock.Now})
			clientID := registerNative(t, s)
			verifier, challenge := pkcePair("r")
			code := redirectParams(t, do(t, "GET", authorizeURL(s, clientID, challenge, nil), nil, "")).Get("code")
			form := url.Values{
				"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
				"client_id": {clientID}, "code_verifier": {verifier},
			}
			first := do(t, "POST", s.URL()+pathToken, form, "")
			if first.status != 200 {
				t.Fatalf("first exchange: got %d want 200", first.status)
			}
			clock.Advance(tc.after)
			again := do(t, "POST", s.URL()+pathToken, form, "")
			if again.status != 400 || again.json(t)["error"] != "invalid_grant" {
				t.Fatalf("replay: got %d %s want 400 invalid_grant", again.status, again.body)
			}
			st, _ := whoamiStatus(t, s, first.json(t)["access_token"].(string))
			if got, want := st == 401, tc.sessionDies; got != want {
				t.Errorf("got whoami %d; session ended %v want %v", st, got, want)
			}
		})
	}
}

func TestWhoamiErrors(t *testing.T) {
	clock := newFakeClock()
	s := newSandbox(t, Config{Now: clock.Now, AccessTokenTTL: time.Minute})
	tok, err := s.IssueTokens("carol", "DEVICEDEVICE", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		header     string
		advance    time.Duration
		status     int
		errcode    string
		softLogout any
	}{
		{name: "valid", header: "Bearer " + tok.AccessToken, status: 200},
		{name: "no token", status: 401, errcode: "M_MISSING_TOKEN"},
		{name: "not bearer", header: "Basic abc", status: 401, errcode: "M_MISSING_TOKEN"},
		{name: "unknown", header: "Bearer mat_nope", status: 401, errcode: "M_UNKNOWN_TOKEN", softLogout: false},
		{name: "expired", header: "Bearer " + tok.AccessToken, advance: 2 * time.Minute, status: 401, errcode: "M_UNKNOWN_TOKEN", softLogout: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock.Advance(tc.advance)
			req, _ := http.NewRequest("GET", s.URL()+"/_matrix/client/v3/account/whoami", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var m map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&m)
			if resp.StatusCode != tc.status {
				t.Fatalf("got %d %v want %d", resp.StatusCode, m, tc.status)
			}
			if tc.status == 200 {
				if m["user_id"] != "@carol:"+s.ServerName() || m["device_id"] != "DEVICEDEVICE" {
					t.Errorf("got %v", m)
				}
				return
			}
			if m["errcode"] != tc.errcode {
				t.Errorf("got errcode %v want %s", m["errcode"], tc.errcode)
			}
			if tc.softLogout != nil && m["soft_logout"] != tc.softLogout {
				t.Errorf("got soft_logout %v want %v", m["soft_logout"], tc.softLogout)
			}
		})
	}
}

// TestIDToken verifies the ID token's RS256 signature against the JWKS
// (independently, with crypto/rsa) and its claims.
func TestIDToken(t *testing.T) {
	s := newSandbox(t, Config{AutoApprove: "alice"})
	clientID := registerNative(t, s)
	m := login(t, s, clientID, "i")
	idt := m["id_token"].(string)
	parts := strings.Split(idt, ".")
	if len(parts) != 3 {
		t.Fatalf("got %d JWS parts want 3", len(parts))
	}
	var header struct{ Alg, Kid string }
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if err := json.Unmarshal(hb, &header); err != nil || header.Alg != "RS256" || header.Kid == "" {
		t.Fatalf("got header %s (%v) want RS256 with kid", hb, err)
	}
	var set struct {
		Keys []struct{ Kty, Kid, N, E, Alg, Use string }
	}
	if err := json.Unmarshal(do(t, "GET", s.URL()+pathJWKS, nil, "").body, &set); err != nil {
		t.Fatal(err)
	}
	var pub *rsa.PublicKey
	for _, k := range set.Keys {
		if k.Kid == header.Kid {
			n, _ := base64.RawURLEncoding.DecodeString(k.N)
			e, _ := base64.RawURLEncoding.DecodeString(k.E)
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	if pub == nil {
		t.Fatalf("got no JWKS key with kid %s", header.Kid)
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if err := json.Unmarshal(cb, &claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != s.Issuer() || claims["aud"] != clientID || claims["nonce"] != "n0nce" {
		t.Errorf("got iss %v aud %v nonce %v", claims["iss"], claims["aud"], claims["nonce"])
	}
	if sub, _ := claims["sub"].(string); sub == "" || strings.HasPrefix(sub, "@") {
		t.Errorf("got sub %q want an opaque id, not the Matrix user id", sub)
	}
	for _, k := range []string{"exp", "iat", "auth_time", "at_hash"} {
		if _, ok := claims[k]; !ok {
			t.Errorf("got no %s claim", k)
		}
	}
	if claims["at_hash"] != halfHash(m["access_token"].(string)) {
		t.Errorf("got at_hash %v want the access token's", claims["at_hash"])
	}
	// The discovery documents name the same issuer and JWKS.
	meta := do(t, "GET", s.URL()+"/.well-known/openid-configuration", nil, "").json(t)
	if meta["issuer"] != s.Issuer() || meta["jwks_uri"] != s.URL()+pathJWKS {
		t.Errorf("got issuer %v jwks_uri %v", meta["issuer"], meta["jwks_uri"])
	}
}

func TestConfidentialClient(t *testing.T) {
	s := newSandbox(t, Config{AutoApprove: "alice"})
	reg := do(t, "POST", s.URL()+pathRegistration, map[string]any{
		"client_uri": "https://app.example.com/", "redirect_uris": []string{testRedirect},
		"application_type": "native", "grant_types": []string{"authorization_code", "refresh_token"},
	}, "").json(t)
	id, secret := reg["client_id"].(string), reg["client_secret"].(string)
	verifier, challenge := pkcePair("s")
	code := redirectParams(t, do(t, "GET", authorizeURL(s, id, challenge, nil), nil, "")).Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"client_id": {id}, "code_verifier": {verifier}}
	if r := do(t, "POST", s.URL()+pathToken, form, ""); r.status != 401 || r.json(t)["error"] != "invalid_client" {
		t.Errorf("without the secret: got %d %s want 401 invalid_client", r.status, r.body)
	}
	req, _ := http.NewRequest("POST", s.URL()+pathToken, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("with Basic auth: got %d want 200", resp.StatusCode)
	}
}

func TestRegisterClientAndSessions(t *testing.T) {
	s := newSandbox(t, Config{AutoApprove: "bob"})
	id := s.RegisterClient("Pre-registered", "http://localhost/cb")
	_, challenge := pkcePair("x")
	// Native loopback: any port matches.
	r := do(t, "GET", authorizeURL(s, id, challenge, map[string]string{"redirect_uri": "http://localhost:7777/cb"}), nil, "")
	if p := redirectParams(t, r); p.Get("code") == "" {
		t.Fatalf("got %v want a code", p)
	}
	got := s.Sessions("bob")
	if len(got) != 1 || got[0].ClientID != id || got[0].DeviceID != "ABCDEFGHIJ" || !got[0].Active {
		t.Errorf("got sessions %+v", got)
	}
	s.EndSessions("bob")
	if got := s.Sessions("bob"); got[0].Active {
		t.Errorf("got an active session after EndSessions")
	}
}
