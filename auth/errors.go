package auth

import "github.com/mxauth/mxauth/auth/autherr"

// Error is the error type of every mxauth call; see autherr.Error. Use
// errors.As(err, &e) with e *auth.Error and read e.Code.
type Error = autherr.Error

// Code is a stable error code (CONTRACT.md).
type Code = autherr.Code

// The error codes of CONTRACT.md, re-exported for callers of package auth.
const (
	CodeInvalidInput        = autherr.InvalidInput
	CodeDiscoveryFailed     = autherr.DiscoveryFailed
	CodeNotAHomeserver      = autherr.NotAHomeserver
	CodeOAuthUnsupported    = autherr.OAuthUnsupported
	CodeMetadataInvalid     = autherr.MetadataInvalid
	CodeRegistrationFailed  = autherr.RegistrationFailed
	CodeNoPendingLogin      = autherr.NoPendingLogin
	CodeStateMismatch       = autherr.StateMismatch
	CodeAuthorizationDenied = autherr.AuthorizationDenied
	CodeTokenExchangeFailed = autherr.TokenExchangeFailed
	CodeIDTokenInvalid      = autherr.IDTokenInvalid
	CodeSessionExpired      = autherr.SessionExpired
	CodeNotFound            = autherr.NotFound
	CodeForbidden           = autherr.Forbidden
	CodeRateLimited         = autherr.RateLimited
	CodeServerError         = autherr.ServerError
	CodeNetwork             = autherr.Network
	CodeTimeout             = autherr.Timeout
	CodeStorage             = autherr.Storage
	CodeDeviceCodeExpired   = autherr.DeviceCodeExpired
)
