package signin

import (
	"reflect"
	"testing"
)

func TestParseLoginFlowsIdentityProviders(t *testing.T) {
	body := `{"flows":[{"type":"m.login.password"},{"type":"m.login.sso","identity_providers":[
		{"id":"oidc-github","name":"GitHub","icon":"mxc://example.org/abc","brand":"github"},
		{"id":"../../logout","name":"traversal"},
		{"id":"a b","name":"space"},
		{"id":"","name":"empty"},
		{"id":"x","name":"  "},
		{"id":"saml","name":"\u202eCorp\u0007 SSO","icon":"https://evil.example/i.png"},
		{"id":"saml","name":"duplicate"},
		{"id":5,"name":"number"},
		"not an object"]},
		{"type":"m.login.sso","identity_providers":[{"id":"second","name":"second flow"}]}]}`
	li, err := parseLoginFlows([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []IdentityProvider{
		{ID: "oidc-github", Name: "GitHub", Icon: "mxc://example.org/abc", Brand: "github"},
		{ID: "saml", Name: "Corp SSO"},
	}
	if !reflect.DeepEqual(li.IdentityProviders, want) {
		t.Errorf("got %+v\nwant %+v", li.IdentityProviders, want)
	}
}
