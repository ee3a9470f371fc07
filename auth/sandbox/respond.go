package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"math/big"
	"net/http"
)

// writeJSON writes v as a JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "sandbox: cannot encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// matrixError writes the standard Matrix error body {"errcode","error"}
// (spec "Standard error response"), with any extra keys.
func matrixError(w http.ResponseWriter, status int, errcode, msg string, extra map[string]any) {
	body := map[string]any{"errcode": errcode, "error": msg}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, status, body)
}

// unrecognized is what Synapse answers for paths it does not serve: 404 (or
// 405 for a wrong method) with M_UNRECOGNIZED. The spec reads 404 +
// M_UNRECOGNIZED on auth_metadata as "OAuth API not supported".
func unrecognized(w http.ResponseWriter, status int) {
	matrixError(w, status, "M_UNRECOGNIZED", "Unrecognized request", nil)
}

// oauthError writes an RFC 6749 §5.2 error body; OAuth endpoints never use
// Matrix errcodes. An empty description falls back to a generic one per code,
// as MAS does.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	if description == "" {
		description = defaultOAuthDescription(code)
	}
	body := map[string]string{"error": code}
	if description != "" {
		body["error_description"] = description
	}
	writeJSON(w, status, body)
}

// defaultOAuthDescription is a short generic text per error code, so that
// every MAS-like error carries an error_description as MAS's do.
func defaultOAuthDescription(code string) string {
	switch code {
	case "invalid_request":
		return "The request is missing a parameter, repeats one, or is malformed."
	case "invalid_client":
		return "Client authentication failed."
	case "invalid_grant":
		return "The grant is invalid, expired, already used or revoked."
	case "unauthorized_client":
		return "The client may not use this grant type or token."
	case "unsupported_grant_type":
		return "This grant type is not supported."
	case "access_denied":
		return "The user or the server denied the request."
	case "unsupported_response_type":
		return "This response type is not supported."
	case "invalid_scope":
		return "The requested scope is invalid."
	case "server_error":
		return "The server hit an unexpected condition."
	case "login_required":
		return "The user must sign in."
	case "invalid_redirect_uri":
		return "One or more redirect URIs are invalid."
	case "invalid_client_metadata":
		return "One of the client metadata fields is invalid."
	case "unsupported_token_type":
		return "This token type cannot be revoked."
	case "request_not_supported":
		return "The request parameter is not supported."
	case "request_uri_not_supported":
		return "The request_uri parameter is not supported."
	case "registration_not_supported":
		return "The registration parameter is not supported."
	}
	return ""
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString is n characters of [A-Za-z0-9] from crypto/rand.
func randomString(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alnum)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			// crypto/rand does not fail on supported platforms.
			v = big.NewInt(int64(i % len(alnum)))
		}
		b[i] = alnum[v.Int64()]
	}
	return string(b)
}
