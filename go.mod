module github.com/mxauth/mxauth

go 1.26.0

require (
	github.com/coreos/go-oidc/v3 v3.21.0
	github.com/hack-pad/hackpadfs v0.2.4
	github.com/maxence-charriere/go-app/v10 v10.1.11
	github.com/piglig/go-qr v1.1.0
	golang.org/x/oauth2 v0.38.0
)

require (
	github.com/go-jose/go-jose/v4 v4.1.4 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/hack-pad/go-indexeddb v0.3.2 // indirect
	github.com/hack-pad/safejs v0.1.0 // indirect
	rsc.io/qr v0.2.0 // indirect
)
