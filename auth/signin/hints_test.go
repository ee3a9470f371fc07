package signin

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestDecideHints walks every combination of metadata (none, without
// create, with create) and login flows.
func TestDecideHints(t *testing.T) {
	oauths := map[string]*OAuthInfo{
		"no metadata":     nil,
		"metadata":        {PromptValues: []string{"login"}},
		"metadata+create": {PromptValues: []string{"login", "create"}},
	}
	logins := map[string]*LoginInfo{
		"no /login":           nil,
		"password":            {Flows: []string{"m.login.password"}},
		"sso":                 {Flows: []string{"m.login.sso"}},
		"password+sso":        {Flows: []string{"m.login.password", "m.login.sso"}},
		"password+sso(aware)": {Flows: []string{"m.login.password", "m.login.sso", "m.login.token"}, OAuthAwarePreferred: true},
		"sso(aware)":          {Flows: []string{"m.login.sso"}, OAuthAwarePreferred: true},
	}
	for on, o := range oauths {
		for ln, l := range logins {
			t.Run(fmt.Sprintf("%s/%s", on, ln), func(t *testing.T) {
				info := &ServerInfo{ServerName: "example.org", OAuth: o, Login: l}
				got := DecideHints(info)

				delegates := o != nil || (l != nil && l.OAuthAwarePreferred)
				hasPassword := l != nil && contains(l.Flows, "m.login.password")
				hasSSO := l != nil && contains(l.Flows, "m.login.sso")
				var want Hints
				if delegates || hasSSO {
					want.ContinueWith = "Continue with example.org"
				}
				switch {
				case o != nil:
					want.ShowCreateAccount = contains(o.PromptValues, "create")
				case l != nil && l.OAuthAwarePreferred:
					want.ShowCreateAccount = true
				}
				want.ShowPasswordForm = hasPassword && !delegates
				switch {
				case want.ContinueWith != "":
				case hasPassword:
					want.Unavailable = UnavailablePasswordOnly
				default:
					want.Unavailable = UnavailableNoFlow
				}
				if want.Unavailable != "" {
					// The words are checked in TestDecideHintsUnavailable.
					want.Explanation = got.Explanation
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %+v want %+v", got, want)
				}
				if delegates && got.ShowPasswordForm {
					t.Errorf("a delegating server must never get a password form")
				}
			})
		}
	}
	if got := DecideHints(nil); !reflect.DeepEqual(got, Hints{}) {
		t.Errorf("nil info: got %+v", got)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// The cases a reader checks by eye, spelled out.
func TestDecideHintsSpelledOut(t *testing.T) {
	mas := &ServerInfo{ServerName: "matrix.org",
		OAuth: &OAuthInfo{PromptValues: []string{"login", "create"}},
		Login: &LoginInfo{Flows: []string{"m.login.password", "m.login.sso", "m.login.token"}, OAuthAwarePreferred: true}}
	if got, want := DecideHints(mas), (Hints{ContinueWith: "Continue with matrix.org", ShowCreateAccount: true}); !reflect.DeepEqual(got, want) {
		t.Errorf("MAS with registration: got %+v want %+v", got, want)
	}
	classic := &ServerInfo{ServerName: "old.example", Login: &LoginInfo{Flows: []string{"m.login.password"}}}
	if got, want := DecideHints(classic), (Hints{ShowPasswordForm: true, Unavailable: UnavailablePasswordOnly,
		Explanation: "old.example signs in with a password only, which this page never asks for: it sends you to the " +
			"server's own sign-in page (OAuth 2.0 or single sign-on), and old.example has none. Use a Matrix app to sign in there."}); !reflect.DeepEqual(got, want) {
		t.Errorf("password-only server: got %+v want %+v", got, want)
	}
}

func BenchmarkDecideHints(b *testing.B) {
	info := &ServerInfo{ServerName: "matrix.org",
		OAuth: &OAuthInfo{PromptValues: []string{"login", "create"}},
		Login: &LoginInfo{Flows: []string{"m.login.password", "m.login.sso"}, OAuthAwarePreferred: true}}
	b.ReportAllocs()
	for b.Loop() {
		_ = DecideHints(info)
	}
}

// TestDecideHintsUnavailable: why a server gets no button, and the words
// every renderer shows for it (the element and the demo draw these).
func TestDecideHintsUnavailable(t *testing.T) {
	idps := []IdentityProvider{{ID: "gh", Name: "GitHub"}, {ID: "corp", Name: "Corp"}}
	tests := []struct {
		name     string
		oauth    *OAuthInfo
		login    *LoginInfo
		want     Unavailable
		wordsHas string
	}{
		{"password only", nil, &LoginInfo{Flows: []string{"m.login.password"}}, UnavailablePasswordOnly, "pw.example signs in with a password only"},
		// Synapse without SSO or MAS lists these three: a person can only
		// type a password there.
		{"password, token, appservice", nil, &LoginInfo{Flows: []string{"m.login.password", "m.login.token", "m.login.application_service"}},
			UnavailablePasswordOnly, "Use a Matrix app to sign in there."},
		{"legacy SSO", nil, &LoginInfo{Flows: []string{"m.login.sso", "m.login.token"}}, "", ""},
		{"legacy SSO with password", nil, &LoginInfo{Flows: []string{"m.login.password", "m.login.sso"}}, "", ""},
		{"legacy SSO with providers", nil, &LoginInfo{Flows: []string{"m.login.sso"}, IdentityProviders: idps}, "", ""},
		{"OAuth", &OAuthInfo{}, &LoginInfo{Flows: []string{"m.login.password"}}, "", ""},
		{"OAuth without /login", &OAuthInfo{}, nil, "", ""},
		{"OAuth-aware SSO without metadata", nil, &LoginInfo{Flows: []string{"m.login.sso"}, OAuthAwarePreferred: true}, "", ""},
		{"nothing: no /login", nil, nil, UnavailableNoFlow, "pw.example offers no sign-in this page can use"},
		{"nothing: no flows", nil, &LoginInfo{}, UnavailableNoFlow, "no sign-in page of its own"},
		{"nothing: token and appservice only", nil, &LoginInfo{Flows: []string{"m.login.token", "m.login.application_service"}}, UnavailableNoFlow, "lists no other way to sign in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DecideHints(&ServerInfo{ServerName: "pw.example", OAuth: tt.oauth, Login: tt.login})
			if got.Unavailable != tt.want {
				t.Errorf("unavailable %q want %q", got.Unavailable, tt.want)
			}
			if button := got.ContinueWith != "" || len(got.Providers) > 0; button == (tt.want != "") {
				t.Errorf("button %v with unavailable %q: one of the two, always", button, got.Unavailable)
			}
			if (got.Explanation == "") != (tt.want == "") || !strings.Contains(got.Explanation, tt.wordsHas) {
				t.Errorf("explanation %q, want one containing %q", got.Explanation, tt.wordsHas)
			}
			if strings.Contains(strings.ToLower(got.Explanation), "no oauth") {
				t.Errorf("explanation %q: say what happened in words", got.Explanation)
			}
		})
	}
}
