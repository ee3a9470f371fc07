package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// bodyTransport answers every request with one token endpoint body.
type bodyTransport struct {
	status int
	body   []byte
}

func (b bodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: b.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(string(b.body))), Request: req,
	}, nil
}

// exchangeBody runs a code exchange whose answer is body, through the same
// x/oauth2 path and checks CompleteLogin uses.
func exchangeBody(status int, body []byte) (*oauth2.Token, error) {
	c := &Client{HTTPClient: &http.Client{Transport: bodyTransport{status, body}}}
	c.init()
	rec := &pendingRecord{
		Verifier: oauth2.GenerateVerifier(), ClientID: "client", RedirectURI: testRedirect, Insecure: true,
		OAuth: signin.OAuthInfo{Issuer: "http://127.0.0.1/", AuthorizationEndpoint: "http://127.0.0.1/authorize", TokenEndpoint: "http://127.0.0.1/token"},
	}
	c.Retry.Attempts = 1
	return c.exchange(context.Background(), rec, "AuthCode-5Yk2QmVvX0")
}

func TestTokenResponses(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		code   Code // "" = success
	}{
		{"bearer", 200, `{"access_token":"a","token_type":"Bearer","expires_in":300,"refresh_token":"r","scope":"urn:matrix:client:api:*"}`, ""},
		{"lower-case bearer", 200, `{"access_token":"a","token_type":"bearer"}`, ""},
		{"no token_type", 200, `{"access_token":"a"}`, autherr.TokenExchangeFailed},
		{"mac", 200, `{"access_token":"a","token_type":"MAC"}`, autherr.TokenExchangeFailed},
		{"no access token", 200, `{"token_type":"Bearer"}`, autherr.TokenExchangeFailed},
		{"not JSON", 200, `<html>`, autherr.TokenExchangeFailed},
		{"invalid_grant", 400, `{"error":"invalid_grant","error_description":"code expired"}`, autherr.TokenExchangeFailed},
		{"5xx", 502, `bad gateway`, autherr.ServerError},
		{"429", 429, `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":1000}`, autherr.RateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := exchangeBody(tt.status, []byte(tt.body))
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tok.AccessToken != "a" {
					t.Errorf("token %+v", tok)
				}
				return
			}
			e := wantCode(t, err, tt.code)
			if tt.name == "invalid_grant" && (e.Errcode != "invalid_grant" || e.Message != "code expired") {
				t.Errorf("error %+v", e)
			}
		})
	}
}

// FuzzTokenResponse: any token endpoint answer yields a Bearer token with
// an access token, or an *Error; never a panic.
func FuzzTokenResponse(f *testing.F) {
	f.Add(200, []byte(`{"access_token":"a","token_type":"Bearer","expires_in":300,"refresh_token":"r","id_token":"x.y.z"}`))
	f.Add(200, []byte(`{"access_token":"a","token_type":"bEaReR","expires_in":"300"}`))
	f.Add(400, []byte(`{"error":"invalid_grant","error_description":"nope"}`))
	f.Add(200, []byte(`{"access_token":1,"token_type":null}`))
	f.Add(503, []byte(``))
	f.Add(200, []byte(`{"access_token":"a","token_type":"Bearer","expires_in":1e309}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		tok, err := exchangeBody(status, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			return
		}
		if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
			t.Fatalf("accepted %+v", tok)
		}
	})
}
