package mxapp

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/signin"
)

// forceRefresh is the minimum validity asked of AccessToken by "Refresh
// now": longer than any access token lives, so it always refreshes.
const forceRefresh = 365 * 24 * time.Hour

// Callback is the redirect page: it completes a login coming back from the
// OAuth server, then shows the session with its countdown, "Refresh now",
// the account links and "Sign out".
type Callback struct {
	app.Compo
	env *Env

	loading bool
	session *auth.Session
	err     error
	notice  string
	working bool
	ticking bool
}

// OnNav completes the login when the address carries an authorization
// response, else shows the stored session.
func (c *Callback) OnNav(ctx app.Context) {
	if app.IsServer {
		return
	}
	c.loading = true
	href := ""
	if u := c.env.pageURL(ctx); u != nil {
		href = u.String()
	}
	ctx.Async(func() {
		var s *auth.Session
		var err error
		if cb, perr := signin.ParseCallback(href); perr == nil && (cb.Code != "" || cb.Error != "") {
			cctx, cancel := context.WithTimeout(ctx, discoverTimeout)
			s, err = c.env.Auth.CompleteLogin(cctx, href)
			cancel()
			if c.env.CleanAddress != nil {
				c.env.CleanAddress()
			}
		}
		if err == nil {
			s, err = c.env.Auth.Session(ctx)
		}
		ctx.Dispatch(func(app.Context) { c.loading, c.session, c.err = false, s, err })
	})
	if !c.ticking {
		c.ticking = true
		ctx.Async(func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					ctx.Dispatch(func(app.Context) {})
				}
			}
		})
	}
}

func (c *Callback) refresh(ctx app.Context) {
	c.working, c.notice, c.err = true, "", nil
	ctx.Async(func() {
		_, err := c.env.Auth.AccessToken(ctx, forceRefresh)
		s, _ := c.env.Auth.Session(ctx)
		ctx.Dispatch(func(app.Context) {
			c.working, c.session, c.err = false, s, err
			if err == nil {
				c.notice = "Refreshed: a new access token."
			}
		})
	})
}

func (c *Callback) signOut(ctx app.Context) {
	c.working, c.notice, c.err = true, "", nil
	ctx.Async(func() {
		err := c.env.Auth.Logout(ctx, nil)
		ctx.Dispatch(func(app.Context) {
			c.working, c.session = false, nil
			c.notice = "Signed out: the tokens are revoked and the session is forgotten."
			var e *autherr.Error
			if err != nil && errors.As(err, &e) && e.Details["sessionForgotten"] == "true" {
				c.notice = "Signed out here, but the server could not be told: " + ErrorText(err)
			} else if err != nil {
				c.err = err
			}
		})
	})
}

// Render draws the page.
func (c *Callback) Render() app.UI {
	s := c.session
	return layout(RouteCallback, "Session",
		app.Div().Aria("live", "polite").Body(
			app.If(c.loading, func() app.UI { return app.P().Class("muted").Text("Completing the sign-in…") }),
			app.If(c.notice != "", func() app.UI { return app.P().Class("notice").ID("notice").Text(c.notice) }),
		),
		app.If(c.err != nil, func() app.UI { return errorBox(c.err) }),
		app.If(!c.loading && s == nil, func() app.UI {
			return app.P().Body(app.Text("Nobody is signed in. "), app.A().Href("./").Text("Sign in"))
		}),
		app.If(s != nil, func() app.UI { return c.sessionPanel(s) }),
	)
}

func (c *Callback) sessionPanel(s *auth.Session) app.UI {
	links := AccountLinks(s)
	expiry := "unknown"
	if !s.ExpiresAt.IsZero() {
		expiry = s.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return app.Section().Class("card").Aria("label", "Signed-in session").Body(
		app.Dl().Class("facts").Body(
			app.Dt().Text("User"), app.Dd().ID("user-id").Text(s.UserID),
			app.Dt().Text("Device"), app.Dd().ID("device-id").Text(s.DeviceID),
			app.Dt().Text("Homeserver"), app.Dd().Text(s.BaseURL),
			app.Dt().Text("Access token expires in"), app.Dd().Body(
				app.Time().ID("expiry").DateTime(expiry).Text(Countdown(s.ExpiresAt, c.env.now())),
			),
			app.Dt().Text("Client id"), app.Dd().Text(s.ClientID),
		),
		app.Div().Class("actions").Body(
			app.Button().Type("button").Class("secondary").ID("refresh").Disabled(c.working).Text("Refresh now").
				OnClick(func(ctx app.Context, e app.Event) { c.refresh(ctx) }),
			app.Button().Type("button").Class("primary").ID("sign-out").Disabled(c.working).Text("Sign out").
				OnClick(func(ctx app.Context, e app.Event) { c.signOut(ctx) }),
		),
		app.If(len(links) > 0, func() app.UI {
			return app.Nav().Class("account").Aria("label", "Account").Body(
				app.H2().Text("Account"),
				app.Ul().Body(app.Range(links).Slice(func(i int) app.UI {
					return app.Li().Body(app.A().Href(links[i].URL).Target("_blank").Rel("noopener").Text(links[i].Label))
				})),
			)
		}),
	)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
