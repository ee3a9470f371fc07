package signin

import (
	"crypto/rand"
	"strings"
	"testing"
)

func TestLoginScopes(t *testing.T) {
	tests := []struct {
		name string
		info ServerInfo
		want string
	}{
		{"stable metadata, MAS scopes", ServerInfo{OAuth: &OAuthInfo{Source: "stable", ScopesSupported: []string{"openid", "email"}}},
			"openid urn:matrix:client:api:* urn:matrix:client:device:DEVICEID01"},
		{"no openid listed", ServerInfo{OAuth: &OAuthInfo{Source: "stable"}},
			"urn:matrix:client:api:* urn:matrix:client:device:DEVICEID01"},
		{"unstable path, old server", ServerInfo{Versions: []string{"v1.12"}, OAuth: &OAuthInfo{Source: "unstable", ScopesSupported: []string{"openid"}}},
			"openid urn:matrix:org.matrix.msc2967.client:api:* urn:matrix:org.matrix.msc2967.client:device:DEVICEID01"},
		{"unstable path, server claims v1.15", ServerInfo{Versions: []string{"v1.15"}, OAuth: &OAuthInfo{Source: "unstable"}},
			"urn:matrix:client:api:* urn:matrix:client:device:DEVICEID01"},
		{"scopes_supported lists unstable only", ServerInfo{OAuth: &OAuthInfo{Source: "stable", ScopesSupported: []string{"urn:matrix:org.matrix.msc2967.client:api:*"}}},
			"urn:matrix:org.matrix.msc2967.client:api:* urn:matrix:org.matrix.msc2967.client:device:DEVICEID01"},
		{"scopes_supported lists stable", ServerInfo{OAuth: &OAuthInfo{Source: "issuer", ScopesSupported: []string{"urn:matrix:client:api:*", "urn:matrix:org.matrix.msc2967.client:api:*"}}},
			"urn:matrix:client:api:* urn:matrix:client:device:DEVICEID01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(LoginScopes(&tt.info, "DEVICEID01"), " ")
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "msc2967") && strings.Contains(got, "urn:matrix:client:") {
				t.Error("stable and unstable scopes mixed")
			}
		})
	}
}

func TestDeviceIDs(t *testing.T) {
	c := &Client{Rand: rand.Reader}
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id, err := c.RandomString(10)
		if err != nil {
			t.Fatal(err)
		}
		if !ValidDeviceID(id) || !allIn(id, "") || len(id) != 10 || seen[id] {
			t.Fatalf("device id %q", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "short", "has space0123", strings.Repeat("a", 256)} {
		if ValidDeviceID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if !ValidDeviceID("abc.def~ghi") {
		t.Error("MAS's wider characters refused")
	}
	if _, err := (&Client{Rand: strings.NewReader("")}).RandomString(10); err == nil {
		t.Error("a failing random source went unnoticed")
	}
}

func TestCanonicalRedirectURI(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP://127.0.0.1:8080/cb":       "http://127.0.0.1:8080/cb",
		"https://App.Example.org/cb?x=1": "https://app.example.org/cb?x=1",
		"org.example.app:/callback":      "org.example.app:/callback",
	} {
		got, err := CanonicalRedirectURI(in)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "/relative", "https://x.example/#f", "https://u:p@x.example/", "::"} {
		if _, err := CanonicalRedirectURI(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
