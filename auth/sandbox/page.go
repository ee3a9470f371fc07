package sandbox

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The pages are small and self-contained: plain CSS inline, no external
// assets, no JavaScript (every step is a plain form). html/template escapes
// every value, so client names, user input and room names stay text.

const pageCSS = `
:root{color-scheme:light dark;--accent:#0dbd8b;--fg:#17191c;--bg:#fff;--muted:#737d8c;--card:#f4f6fa;--err:#d51928}
@media (prefers-color-scheme:dark){:root{--fg:#ebeef2;--bg:#15191e;--muted:#a9b2bc;--card:#21262c}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);display:flex;justify-content:center}
main{width:100%;max-width:420px;padding:32px 20px}
h1{font-size:22px;margin:0 0 4px}
p.sub{color:var(--muted);margin:0 0 20px}
.card{background:var(--card);border-radius:12px;padding:16px;margin:0 0 16px}
button,.btn{display:block;width:100%;padding:10px 14px;margin:8px 0;border-radius:8px;border:1px solid var(--muted);background:transparent;color:var(--fg);font:inherit;cursor:pointer;text-align:left}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff;text-align:center}
button.link{border:none;color:var(--accent);padding:4px 0;text-align:left}
input[type=text]{width:100%;padding:10px;border-radius:8px;border:1px solid var(--muted);background:var(--bg);color:var(--fg);font:inherit}
label{display:block;font-weight:600;margin:8px 0 4px}
.err{color:var(--err);font-weight:600}
code{font-size:13px;word-break:break-all}
ul{padding-left:20px}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px}dt{color:var(--muted)}dd{margin:0;word-break:break-all}
footer{color:var(--muted);font-size:13px;margin-top:24px}
`

var pages = template.Must(template.New("layout").Parse(`{{define "layout"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · mxauth sandbox</title><style>{{.CSS}}</style></head>
<body><main>{{template "body" .}}<footer>mxauth sandbox · {{.ServerName}} · not a real server</footer></main></body></html>{{end}}

{{define "login"}}{{if .P.Create}}
<h1>Create an account</h1><p class="sub">on {{.ServerName}}, to continue to <b>{{.ClientName}}</b></p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.ContinuePath}}" class="card">
<input type="hidden" name="tx" value="{{.P.ID}}"><input type="hidden" name="action" value="create">
<label for="username">Username</label><input type="text" id="username" name="username" value="{{.P.Hint}}" autocomplete="username" required pattern="[a-z0-9._=/+\-]+" autofocus>
<button class="primary" type="submit">Create account</button></form>
<form method="post" action="{{.ContinuePath}}"><input type="hidden" name="tx" value="{{.P.ID}}"><input type="hidden" name="action" value="show-login">
<button class="link" type="submit">I already have an account</button></form>
{{else}}
<h1>Sign in</h1><p class="sub">to {{.ServerName}}, to continue to <b>{{.ClientName}}</b></p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.ContinuePath}}" class="card">
<input type="hidden" name="tx" value="{{.P.ID}}"><input type="hidden" name="action" value="login">
{{range .Users}}<button type="submit" name="user" value="{{.}}"{{if eq . $.P.Hint}} class="primary"{{end}}>Continue as <b>@{{.}}:{{$.ServerName}}</b></button>{{end}}
</form>
<form method="post" action="{{.ContinuePath}}" class="card">
<input type="hidden" name="tx" value="{{.P.ID}}"><input type="hidden" name="action" value="login">
<label for="username">Or type a username</label><input type="text" id="username" name="username" value="{{.P.Hint}}" autocomplete="username">
<button type="submit">Continue</button></form>
{{if .CanCreate}}<form method="post" action="{{.ContinuePath}}"><input type="hidden" name="tx" value="{{.P.ID}}"><input type="hidden" name="action" value="show-create">
<button class="link" type="submit">Create account</button></form>{{end}}
{{end}}{{end}}

{{define "consent"}}
<h1>Allow access?</h1><p class="sub"><b>{{.ClientName}}</b> wants to use your account <b>@{{.P.User}}:{{.ServerName}}</b></p>
<div class="card"><dl>
{{if .ClientURI}}<dt>Client</dt><dd>{{.ClientURI}}</dd>{{end}}
<dt>Client id</dt><dd><code>{{.P.ClientID}}</code></dd>
<dt>Redirect</dt><dd><code>{{.P.RedirectURI}}</code></dd>
{{if .P.DeviceID}}<dt>Device</dt><dd><code>{{.P.DeviceID}}</code></dd>{{end}}
</dl><ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul></div>
<form method="post" action="{{.ConsentPath}}"><input type="hidden" name="tx" value="{{.P.ID}}">
<button class="primary" type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button></form>
{{end}}

{{define "device-link"}}
<h1>Link a device</h1><p class="sub">Type the code your device shows to sign it in to {{.ServerName}}.</p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.LinkPath}}" class="card">
<label for="code">Code</label><input type="text" id="code" name="code" value="{{.Code}}" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required autofocus>
<button class="primary" type="submit">Continue</button></form>
{{end}}

{{define "device-consent"}}
<h1>Sign in a device?</h1><p class="sub"><b>{{.ClientName}}</b> shows the code <b>{{.UserCode}}</b> and wants to use your account on {{.ServerName}}. Only allow it if you started this on a device you trust.</p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<div class="card"><dl>
{{if .ClientURI}}<dt>Client</dt><dd>{{.ClientURI}}</dd>{{end}}
<dt>Client id</dt><dd><code>{{.ClientID}}</code></dd>
</dl><ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul></div>
<form method="post" action="{{.Path}}" class="card">
<input type="hidden" name="decision" value="allow">
{{range .Users}}<button type="submit" name="user" value="{{.}}">Allow as <b>@{{.}}:{{$.ServerName}}</b></button>{{end}}
</form>
<form method="post" action="{{.Path}}"><button type="submit" name="decision" value="deny">Deny</button></form>
{{end}}

{{define "device-done"}}<h1>{{.Heading}}</h1><p role="status">{{.Message}}</p>{{end}}

{{define "sso"}}<h1>Sign in</h1><p class="sub">{{.ServerName}} single sign-on (sandbox){{if .IDP}} · {{.IDP}}{{end}}</p>
<form method="post"><input type="hidden" name="redirectUrl" value="{{.RedirectURL}}">{{if .Action}}<input type="hidden" name="action" value="{{.Action}}">{{end}}
{{range .Users}}<button type="submit" name="user" value="{{.}}">Continue as {{.}}</button>{{end}}</form>{{end}}

{{define "error"}}<h1>{{.Heading}}</h1><p class="err" role="alert">{{.Message}}</p>{{end}}

{{define "formpost"}}<h1>Continue</h1><p class="sub">Send the answer back to the app.</p>
<form method="post" action="{{.Action}}">{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
<button class="primary" type="submit">Continue</button></form>{{end}}

{{define "account"}}<h1>Your account</h1><p class="sub">{{.ServerName}} account management (sandbox)</p>
<div class="card"><dl><dt>action</dt><dd><code>{{if .Action}}{{.Action}}{{else}}(none){{end}}</code></dd>
<dt>device_id</dt><dd><code>{{if .DeviceID}}{{.DeviceID}}{{else}}(none){{end}}</code></dd></dl>
{{if .Known}}{{else}}{{if .Action}}<p class="err">This action is not advertised by the server.</p>{{end}}{{end}}</div>
{{if .Ended}}<p role="status">Signed out {{.Ended}} session(s) of that device.</p>{{end}}
{{if .DeviceID}}<form method="post" action="{{.Path}}"><input type="hidden" name="device_id" value="{{.DeviceID}}">
<button type="submit">Sign out this device</button></form>{{end}}
<div class="card"><b>Actions</b><ul>{{range .Actions}}<li><code>{{.}}</code></li>{{end}}</ul></div>{{end}}

{{define "index"}}<h1>mxauth sandbox</h1><p class="sub">A loopback Matrix homeserver with a MAS-like OAuth 2.0 server.</p>
<div class="card"><dl><dt>Homeserver</dt><dd><code>{{.URL}}</code></dd><dt>Server name</dt><dd><code>{{.ServerName}}</code></dd>
<dt>Issuer</dt><dd><code>{{.Issuer}}</code></dd></dl></div>
<p><a href="/link">Link a device</a>: approve a code a TV, bot or CLI shows.</p>
<div class="card"><b>Rooms</b><ul>{{range .Rooms}}<li><code>{{.Alias}}</code> · <code>{{.ID}}</code></li>{{end}}</ul></div>{{end}}
`))

// render writes a page: the layout with body template name.
func (s *Server) render(w http.ResponseWriter, status int, title, name string, data map[string]any) {
	data["Title"] = title
	data["CSS"] = template.CSS(pageCSS)
	data["ServerName"] = s.serverName
	t, err := pages.Clone()
	if err == nil {
		_, err = t.New("body").Parse(`{{template "` + name + `" .}}`)
	}
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout", data)
	}
	if err != nil {
		s.logf("sandbox: render %s: %v", name, err)
		http.Error(w, "sandbox: page error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// MAS's human pages refuse framing: clients must use a top-level
	// redirect or a popup (spec §2.3).
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// pageView is what the login and consent templates read of a pending request.
type pageView struct {
	ID, User, Hint, ClientID, RedirectURI, DeviceID string
	Create                                          bool
}

func (s *Server) pendingView(p *pendingAuth) (pageView, string, string) {
	name, _ := p.client.metadata["client_name"].(string)
	uri, _ := p.client.metadata["client_uri"].(string)
	if name == "" {
		name = p.client.id
	}
	return pageView{
		ID: p.id, User: p.user, Hint: p.loginHint, ClientID: p.client.id,
		RedirectURI: p.redirectURI, DeviceID: p.deviceID, Create: p.create,
	}, name, uri
}

func (s *Server) renderLogin(w http.ResponseWriter, p *pendingAuth, errMsg string) {
	v, name, _ := s.pendingView(p)
	title := "Sign in"
	if p.create {
		title = "Create account"
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	s.render(w, status, title, "login", map[string]any{
		"P": v, "ClientName": name, "Error": errMsg, "Users": s.Users(),
		"ContinuePath": pathAuthorizeContinue, "CanCreate": s.cfg.PromptCreate,
	})
}

func (s *Server) renderConsent(w http.ResponseWriter, p *pendingAuth) {
	v, name, uri := s.pendingView(p)
	var scopes []string
	for _, sc := range strings.Fields(p.scope) {
		scopes = append(scopes, describeScope(sc))
	}
	s.render(w, http.StatusOK, "Allow access", "consent", map[string]any{
		"P": v, "ClientName": name, "ClientURI": uri, "Scopes": scopes,
		"ConsentPath": pathAuthorizeConsent,
	})
}

func describeScope(sc string) string {
	switch {
	case sc == "openid":
		return "Know who you are (openid)"
	case sc == "email":
		return "See your email address"
	case sc == scopeAPI || sc == scopeUnstableAPI:
		return "Read and send messages, and everything else your account can do"
	case strings.HasPrefix(sc, scopeDevicePrefix), strings.HasPrefix(sc, scopeUnstableDevicePrefix):
		return "Sign in a device (" + sc[strings.LastIndex(sc, ":")+1:] + ")"
	}
	return sc
}

func (s *Server) renderError(w http.ResponseWriter, status int, heading, msg string) {
	s.render(w, status, heading, "error", map[string]any{"Heading": heading, "Message": msg})
}

func (s *Server) renderFormPost(w http.ResponseWriter, action string, params url.Values) {
	s.render(w, http.StatusOK, "Continue", "formpost", map[string]any{"Action": action, "Params": params})
}

func (s *Server) renderIndex(w http.ResponseWriter) {
	s.render(w, http.StatusOK, "Sandbox", "index", map[string]any{
		"URL": s.url, "Issuer": s.advertisedIssuer(), "Rooms": s.Rooms(),
	})
}
