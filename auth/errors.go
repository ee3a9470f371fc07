package auth

import "github.com/mxauth/mxauth/auth/autherr"

// Error is the error type of every mxauth call; see autherr.Error. Use
// errors.As(err, &e) with e *auth.Error and read e.Code.
type Error = autherr.Error

// Code is a stable error code (CONTRACT.md); its values are package
// autherr's constants (autherr.DiscoveryFailed, …).
type Code = autherr.Code
