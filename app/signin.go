package mxapp

import (
	"context"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/signin"
)

// discoverTimeout bounds one discovery from a page.
const discoverTimeout = 30 * time.Second

// SignIn is the sign-in page: a server field, the discovery steps as they
// come back, then the MSC3824 buttons (signin.Hints) or a plain explanation.
// There is never a password form: mxauth signs in through the OAuth server.
type SignIn struct {
	app.Compo
	env *Env

	server   string
	busy     bool
	info     *auth.ServerInfo
	err      error
	live     []signin.Step // steps reported while a discovery runs
	session  *auth.Session
	starting bool
	startErr error
}

// OnNav starts with ?server=, else the configured server.
func (c *SignIn) OnNav(ctx app.Context) {
	c.server = c.env.defaultServer()
	if u := c.env.pageURL(ctx); u != nil {
		if s := u.Query().Get("server"); s != "" {
			c.server = s
		}
	}
	if app.IsServer {
		return
	}
	ctx.Async(func() {
		s, _ := c.env.Auth.Session(ctx)
		ctx.Dispatch(func(app.Context) { c.session = s })
	})
	c.discover(ctx)
}

func (c *SignIn) discover(ctx app.Context) {
	server := c.server
	c.busy, c.info, c.err, c.startErr, c.live = true, nil, nil, nil, nil
	ctx.Async(func() {
		dctx, cancel := context.WithTimeout(ctx, discoverTimeout)
		defer cancel()
		// Show each request as it finishes: a slow server shows where it is slow.
		dctx = signin.WithStepTrace(dctx, func(st signin.Step) {
			ctx.Dispatch(func(app.Context) {
				if server == c.server && c.busy {
					c.live = MergeStep(c.live, st)
				}
			})
		})
		info, err := c.env.Auth.Discover(dctx, server)
		ctx.Dispatch(func(app.Context) {
			if server != c.server {
				return // a newer discovery is on its way
			}
			c.busy, c.info, c.err = false, info, err
		})
	})
}

func (c *SignIn) start(ctx app.Context, action auth.Action) { c.startAt(ctx, action, "") }

// startAt starts a login; idp picks an identity provider of a legacy SSO
// server.
func (c *SignIn) startAt(ctx app.Context, action auth.Action, idp string) {
	info := c.info
	if info == nil || c.starting {
		return
	}
	c.starting, c.startErr = true, nil
	page := c.env.pageURL(ctx)
	opts := auth.LoginOptions{
		ServerInfo:  info,
		RedirectURI: Redirect(page),
		Client:      ClientFor(page, c.env.clientURI()),
		Action:      action,
		IDP:         idp,
	}
	ctx.Async(func() {
		sctx, cancel := context.WithTimeout(ctx, discoverTimeout)
		defer cancel()
		p, err := c.env.Auth.StartLogin(sctx, opts)
		ctx.Dispatch(func(ctx app.Context) {
			c.starting = false
			if err != nil {
				c.startErr = err
				return
			}
			// Not ctx.Navigate: go-app opens other origins in a new window.
			app.Window().Get("location").Set("href", p.URL)
		})
	})
}

// Render draws the page.
func (c *SignIn) Render() app.UI {
	view := SignInFor(c.info)
	var rows []StepRow
	switch {
	case c.info != nil:
		rows = StepRows(c.info.Steps, c.env.InBrowser)
	case c.busy:
		rows = StepRows(c.live, c.env.InBrowser)
	}
	return layout(RouteSignIn, "Sign in to Matrix",
		app.If(c.session != nil, func() app.UI {
			return app.P().Class("notice").Body(
				app.Text("Signed in as "+c.session.UserID+". "),
				app.A().Href(RouteCallback).Text("See the session"),
			)
		}),
		app.Form().Class("field-row").OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			c.discover(ctx)
		}).Body(
			app.Label().For("server").Text("Homeserver"),
			app.Input().ID("server").Name("server").Type("text").Value(c.server).
				Spellcheck(false).Placeholder("matrix.org, @you:example.org or https://…").
				OnInput(c.ValueTo(&c.server)),
			app.Button().Type("submit").Text("Look up"),
		),
		app.Section().Aria("label", "Discovery").Aria("live", "polite").Aria("busy", c.busy).Body(
			app.If(c.busy, func() app.UI {
				return app.P().Class("muted").Text("Discovering " + c.server + "…")
			}),
			app.If(len(rows) > 0, func() app.UI { return stepList(rows) }),
			app.If(c.err != nil, func() app.UI {
				return app.Div().Body(
					errorBox(c.err),
					app.P().Body(app.A().Href(RouteCheck+"?server="+urlQueryEscape(c.server)).Text("Check this server")),
				)
			}),
		),
		app.If(c.info != nil, func() app.UI {
			if view.ContinueLabel == "" {
				return app.Div().Class("explain").Body(
					app.H2().Text("This server cannot sign in here"),
					app.P().Text(view.Explanation),
				)
			}
			return app.Div().Class("actions").Body(
				app.If(len(view.Providers) == 0, func() app.UI {
					return app.Button().Type("button").Class("primary").ID("continue").Disabled(c.starting).
						Text(view.ContinueLabel).OnClick(func(ctx app.Context, e app.Event) { c.start(ctx, auth.ActionLogin) })
				}),
				app.Range(view.Providers).Slice(func(i int) app.UI {
					p := view.Providers[i]
					return app.Button().Type("button").Class("primary").Disabled(c.starting).
						Text(p.Label).OnClick(func(ctx app.Context, e app.Event) { c.startAt(ctx, auth.ActionLogin, p.IDP) })
				}),
				app.If(view.CreateAccount, func() app.UI {
					return app.Button().Type("button").Class("secondary").ID("create").Disabled(c.starting).
						Text("Create account").OnClick(func(ctx app.Context, e app.Event) { c.start(ctx, auth.ActionRegister) })
				}),
			)
		}),
		app.If(c.startErr != nil, func() app.UI { return errorBox(c.startErr) }),
	)
}
