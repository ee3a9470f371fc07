package signin

import (
	"fmt"
	"reflect"
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
	if got, want := DecideHints(classic), (Hints{ShowPasswordForm: true}); !reflect.DeepEqual(got, want) {
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
