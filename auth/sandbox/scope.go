package sandbox

import (
	"fmt"
	"regexp"
	"strings"
)

// Matrix scopes (MSC2967, spec v1.15 "OAuth 2.0 API" scopes) and their
// unstable forms, which MAS still accepts.
const (
	scopeAPI                  = "urn:matrix:client:api:*"
	scopeDevicePrefix         = "urn:matrix:client:device:"
	scopeUnstableAPI          = "urn:matrix:org.matrix.msc2967.client:api:*"
	scopeUnstableDevicePrefix = "urn:matrix:org.matrix.msc2967.client:device:"
)

// deviceIDRE is MAS's device id rule (policies/authorization_grant): at least
// 10 characters of RFC 3986 unreserved, sub-delims, ":", "@" and "/".
var deviceIDRE = regexp.MustCompile(`^[A-Za-z0-9._~!$&'()*+,;=:@/-]{10,}$`)

func validDeviceID(id string) bool { return deviceIDRE.MatchString(id) }

// checkScope applies MAS's authorization grant policy to a space-separated
// scope: only known scopes; stable and unstable Matrix scopes not mixed; at
// most one device scope, with a valid id; a device scope needs the api scope.
// It returns the device id and the violations (empty when allowed).
func checkScope(scope string) (deviceID string, violations []string) {
	var stable, unstable, devices int
	hasAPI := false
	for _, tok := range strings.Fields(scope) {
		switch {
		case tok == "openid", tok == "email":
		case tok == scopeAPI:
			stable++
			hasAPI = true
		case tok == scopeUnstableAPI:
			unstable++
			hasAPI = true
		case strings.HasPrefix(tok, scopeDevicePrefix) && validDeviceID(strings.TrimPrefix(tok, scopeDevicePrefix)):
			stable++
			devices++
			deviceID = strings.TrimPrefix(tok, scopeDevicePrefix)
		case strings.HasPrefix(tok, scopeUnstableDevicePrefix) && validDeviceID(strings.TrimPrefix(tok, scopeUnstableDevicePrefix)):
			unstable++
			devices++
			deviceID = strings.TrimPrefix(tok, scopeUnstableDevicePrefix)
		default:
			violations = append(violations, fmt.Sprintf("scope '%s' not allowed", tok))
		}
	}
	if stable > 0 && unstable > 0 {
		violations = append(violations, "request cannot mix unstable and stable scopes")
	}
	if devices > 1 {
		violations = append(violations, "only one device scope is allowed at a time")
	}
	if devices > 0 && !hasAPI {
		violations = append(violations, "device scope requires the client API scope")
	}
	// MAS would mint a device itself; the brief (and every real client)
	// sends exactly one device scope with the API scope, so ask for it.
	if hasAPI && devices == 0 {
		violations = append(violations, "the client API scope requires one device scope")
	}
	if strings.TrimSpace(scope) == "" {
		violations = append(violations, "no scope requested")
	}
	return deviceID, violations
}

func hasScope(scope, want string) bool {
	for _, tok := range strings.Fields(scope) {
		if tok == want {
			return true
		}
	}
	return false
}
