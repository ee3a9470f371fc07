// Package mxapp holds the go-app components and pages of the mxauth demo
// site (DESIGN.md: app/ is imported as mxapp next to go-app's app). The
// pages draw the pure view state of model.go; the MSC3824 decision comes
// from signin.DecideHints through ServerInfo.Hints and is never made here.
//
// Pages are routed by file name (RouteSignIn, …) so that the generated
// site works from any sub-path of any static host: every link is relative,
// and the callback page is the redirect URI.
package mxapp

import (
	"context"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/room"
)

// Routes of the pages, relative to the site's folder. The sign-in page is
// the folder itself ("/" and "/index.html").
const (
	RouteSignIn   = ""
	RouteCallback = "callback.html"
	RouteRoom     = "room.html"
	RouteCheck    = "check.html"
)

// ClientName is the client_name the demo registers with.
const ClientName = "mxauth demo"

// Defaults when neither the address nor config.json says otherwise.
const (
	DefaultServer    = "matrix.org"
	DefaultRoom      = "#matrix:matrix.org"
	DefaultClientURI = "https://mxauth.example/"
)

// Config is what the host tells the pages: config.json beside index.html
// (the `mxauth demo` server writes one pointing at its sandbox), then the
// build-time default.
type Config struct {
	// Server is the homeserver the sign-in page starts with.
	Server string `json:"server,omitempty"`
	// Room is the room the room page starts with.
	Room string `json:"room,omitempty"`
	// ClientURI is client_uri for a loopback page (a public https URL).
	ClientURI string `json:"clientUri,omitempty"`
}

// Env is what the pages use to reach the world. main fills it: in the
// browser with the fetch transport, the IndexedDB store and Web Locks;
// natively (tests, the static-site generator) with net/http or nothing.
type Env struct {
	Auth  *auth.Client
	Rooms *room.Client
	// Probe looks at one URL directly when discovery could not read it.
	// Nil means no probe.
	Probe func(ctx context.Context, url string) ProbeResult
	// CleanAddress drops the spent authorization response (code, state,
	// iss) from the address bar after the callback. Nil means leave it.
	CleanAddress func()
	// PageURL is the page's address. Nil means go-app's page URL.
	PageURL func() *url.URL
	// InBrowser says requests go through a browser's fetch (CORS applies).
	InBrowser bool
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Config Config
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) pageURL(ctx app.Context) *url.URL {
	if e.PageURL != nil {
		return e.PageURL()
	}
	return ctx.Page().URL()
}

func (e *Env) defaultServer() string {
	if e.Config.Server != "" {
		return e.Config.Server
	}
	return DefaultServer
}

func (e *Env) defaultRoom() string {
	if e.Config.Room != "" {
		return e.Config.Room
	}
	return DefaultRoom
}

func (e *Env) clientURI() string {
	if e.Config.ClientURI != "" {
		return e.Config.ClientURI
	}
	return DefaultClientURI
}

// Routes registers the pages with go-app. The sign-in page answers the
// folder and index.html (a host may show either); only "/" is a static
// page of its own, so the generator writes index.html once.
func Routes(env *Env) {
	app.Route("/", func() app.Composer { return &SignIn{env: env} })
	app.RouteWithRegexp(`^/index\.html$`, func() app.Composer { return &SignIn{env: env} })
	app.Route("/"+RouteCallback, func() app.Composer { return &Callback{env: env} })
	app.Route("/"+RouteRoom, func() app.Composer { return &RoomPage{env: env} })
	app.Route("/"+RouteCheck, func() app.Composer { return &Check{env: env} })
}
