package mxapp

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/mxauth/mxauth/auth"
)

// Check is the server check page: the discovery report as a table a
// homeserver admin can act on (CORS per request, stable or unstable
// endpoints), and what MAS's registration rules refuse for a client.
type Check struct {
	app.Compo
	env *Env

	server    string
	asked     string
	busy      bool
	info      *auth.ServerInfo
	err       error
	probe     *ProbeResult
	clientURI string
	redirect  string
}

// OnNav starts with ?server=, else the configured server, and with the
// client the demo itself registers.
func (c *Check) OnNav(ctx app.Context) {
	c.server = c.env.defaultServer()
	page := c.env.pageURL(ctx)
	if page != nil {
		if s := page.Query().Get("server"); s != "" {
			c.server = s
		}
	}
	c.clientURI = ClientFor(page, c.env.clientURI()).URI
	c.redirect = Redirect(page)
	if app.IsServer {
		return
	}
	c.run(ctx)
}

func (c *Check) run(ctx app.Context) {
	server := c.server
	c.asked, c.busy, c.info, c.err, c.probe = server, true, nil, nil, nil
	ctx.Async(func() {
		dctx, cancel := context.WithTimeout(ctx, discoverTimeout)
		defer cancel()
		// Check, not Discover: a failed discovery still shows the requests
		// it made, which is what an admin needs to see.
		info, err := c.env.Auth.Check(dctx, server)
		var probe *ProbeResult
		if err != nil && c.env.Probe != nil {
			if u := ProbeURL(info); u != "" {
				p := c.env.Probe(dctx, u)
				probe = &p
			}
		}
		ctx.Dispatch(func(app.Context) {
			if server != c.asked {
				return
			}
			c.busy, c.info, c.err, c.probe = false, info, err, probe
		})
	})
}

// Render draws the page.
func (c *Check) Render() app.UI {
	reg := CheckRegistration(c.clientURI, c.redirect)
	return layout(RouteCheck, "Server check",
		app.P().Text("What a browser-based Matrix client finds at a homeserver, request by request, and what to fix."),
		app.Form().Class("field-row").OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			c.run(ctx)
		}).Body(
			app.Label().For("check-server").Text("Homeserver"),
			app.Input().ID("check-server").Name("server").Type("text").Value(c.server).Spellcheck(false).
				OnInput(c.ValueTo(&c.server)),
			app.Button().Type("submit").Text("Check"),
		),
		app.Div().Aria("live", "polite").Aria("busy", c.busy).Body(
			app.If(c.busy, func() app.UI { return app.P().Class("muted").Text("Checking " + c.asked + "…") }),
			app.If(c.err != nil, func() app.UI { return c.failure() }),
			app.If(c.info != nil, func() app.UI { return c.report(c.err == nil) }),
		),
		app.Section().Class("card").Aria("labelledby", "reg-title").Body(
			app.H2().ID("reg-title").Text("Client registration"),
			app.P().Text("What MAS's registration rules say of a client before it is sent. "+
				"A redirect URI on http://127.0.0.1 or localhost registers a native client; anything else a web client on client_uri's host."),
			app.Div().Class("grid2").Body(
				app.Label().For("client-uri").Text("client_uri"),
				app.Input().ID("client-uri").Type("url").Value(c.clientURI).Spellcheck(false).OnInput(c.ValueTo(&c.clientURI)),
				app.Label().For("redirect-uri").Text("redirect URI"),
				app.Input().ID("redirect-uri").Type("url").Value(c.redirect).Spellcheck(false).OnInput(c.ValueTo(&c.redirect)),
			),
			app.If(reg.OK, func() app.UI {
				return app.P().Class("good").ID("registration").Text("Accepted as a " + reg.AppType + " client.")
			}).Else(func() app.UI {
				return app.Div().Class("bad").ID("registration").Body(
					app.P().Text("Refused: "+reg.Message),
					app.P().Class("code").Text("rule "+string(reg.Rule)+", field "+reg.Field),
				)
			}),
		),
	)
}

func (c *Check) failure() app.UI {
	return app.Section().Class("card").Aria("label", "Failure").Body(
		errorBox(c.err),
		app.If(c.probe != nil, func() app.UI {
			p := c.probe
			cors := "no"
			if p.CORS {
				cors = "yes"
			}
			return app.Table().ID("probe").Body(
				app.Caption().Text("A direct look at client discovery"),
				app.THead().Body(app.Tr().Body(
					app.Th().Scope("col").Text("URL"), app.Th().Scope("col").Text("Answers"),
					app.Th().Scope("col").Text("CORS"), app.Th().Scope("col").Text("What to do"),
				)),
				app.TBody().Body(app.Tr().DataSet("cors", cors).Body(
					app.Td().Class("url").Text(p.URL),
					app.Td().Text(yesNo(p.Reachable)),
					app.Td().Class("cors-"+cors).Text(cors),
					app.Td().Text(ProbeAdvice(*p)),
				)),
			)
		}),
	)
}

// report draws the requests made and, after a discovery that succeeded,
// what the server offers.
func (c *Check) report(succeeded bool) app.UI {
	r := ReportFor(c.info, c.env.InBrowser)
	if !succeeded {
		r.Facts = nil
	}
	return app.Div().Body(
		app.Table().ID("steps").Body(
			app.Caption().Text("Discovery requests"),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("Request"), app.Th().Scope("col").Text("HTTP"),
				app.Th().Scope("col").Text("Result"), app.Th().Scope("col").Text("Time"),
				app.Th().Scope("col").Text("CORS"),
			)),
			app.TBody().Body(app.Range(r.Rows).Slice(func(i int) app.UI {
				row := r.Rows[i]
				return app.Tr().DataSet("step", row.Name).DataSet("cors", row.CORS).Body(
					app.Th().Scope("row").Body(app.Span().Text(row.Label), app.Br(), app.Small().Class("url").Text(row.URL)),
					app.Td().Text(row.Status),
					app.Td().Class(map[bool]string{true: "good", false: "bad"}[row.OK]).Text(row.Result),
					app.Td().Text(row.Time),
					app.Td().Class("cors-"+row.CORS).Text(row.CORS),
				)
			})),
		),
		app.If(len(r.Facts) > 0, func() app.UI {
			return app.Table().ID("facts").Body(
				app.Caption().Text("What the server offers"),
				app.THead().Body(app.Tr().Body(
					app.Th().Scope("col").Text("Item"), app.Th().Scope("col").Text("Found"), app.Th().Scope("col").Text("What to do"),
				)),
				app.TBody().Body(app.Range(r.Facts).Slice(func(i int) app.UI {
					f := r.Facts[i]
					return app.Tr().Body(
						app.Th().Scope("row").Text(f.Name),
						app.Td().Class("url").Text(f.Value),
						app.Td().Class(map[bool]string{true: "", false: "bad"}[f.OK]).Text(f.Advice),
					)
				})),
			)
		}),
	)
}
