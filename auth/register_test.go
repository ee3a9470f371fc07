package auth

import (
	"context"
	"net/http"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// A server refusal keeps the server's error and error_description.
func TestRegistrationRefusedByServer(t *testing.T) {
	reg := newJSONServer(t, http.StatusBadRequest, `{"error":"invalid_redirect_uri","error_description":"redirect_uri is not using a valid domain"}`)
	info := &ServerInfo{ServerName: "127.0.0.1", Insecure: true, OAuth: &signin.OAuthInfo{
		Issuer: "http://127.0.0.1/", AuthorizationEndpoint: "http://127.0.0.1/authorize", TokenEndpoint: "http://127.0.0.1/token",
		RegistrationEndpoint: reg,
	}}
	_, err := coreOf(loginClient(nil)).Register(context.Background(), info, testApp, testRedirect)
	e := wantCode(t, err, autherr.RegistrationFailed)
	if e.Errcode != "invalid_redirect_uri" || e.Message != "redirect_uri is not using a valid domain" || e.Status != 400 {
		t.Errorf("error %+v", e)
	}
	// No registration endpoint and no configured client id.
	info.OAuth.RegistrationEndpoint = ""
	_, err = coreOf(loginClient(nil)).Register(context.Background(), info, testApp, testRedirect)
	// The spec requires the field; the metadata falls short, not the page.
	e = wantCode(t, err, autherr.MetadataInvalid)
	if e.Details["field"] != "registration_endpoint" {
		t.Errorf("details %v", e.Details)
	}
	// A 5xx is server_error, not a refusal.
	info.OAuth.RegistrationEndpoint = newJSONServer(t, http.StatusBadGateway, `<html>`)
	_, err = coreOf(loginClient(nil)).Register(context.Background(), info, testApp, testRedirect)
	wantCode(t, err, autherr.ServerError)
	// 201 without a client_id.
	info.OAuth.RegistrationEndpoint = newJSONServer(t, http.StatusCreated, `{"client_name":"x"}`)
	_, err = coreOf(loginClient(nil)).Register(context.Background(), info, testApp, testRedirect)
	wantCode(t, err, autherr.RegistrationFailed)
	// Local refusal before any request.
	_, err = coreOf(loginClient(nil)).Register(context.Background(), info, ClientMetadata{URI: "http://x.example/"}, testRedirect)
	e = wantCode(t, err, autherr.RegistrationFailed)
	if e.Details["rule"] != string(signin.RuleHTTPS) {
		t.Errorf("details %v", e.Details)
	}
}

// coreOf is c's sign-in core, for the tests of what only the core exports.
func coreOf(c *Client) *signin.Client {
	c.init()
	return c.core
}
