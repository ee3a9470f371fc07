package mxapp

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/serverrule"
	"github.com/mxauth/mxauth/auth/signin"
)

// This file is the pure view state of the pages: what each page shows for
// a discovery, a session or a room, computed without go-app or the
// network, so it is tested natively. The MSC3824 decision itself is
// signin.DecideHints (ServerInfo.Hints); nothing here decides it again.

// StepRow is one discovery request as the step lists and the server check
// table show it.
type StepRow struct {
	Name   string // the signin.Step name ("well-known", "versions", …)
	Label  string // what it is, for people
	URL    string
	Status string // "200", or "no answer"
	Result string // "ok", "not there", or the error code
	OK     bool   // answered as hoped (ok, or absent where absence is allowed)
	Time   string // "12 ms"
	// CORS is "yes", "no" or "unknown". In a browser an answer that was
	// read at all passed CORS (Access-Control-Allow-Origin itself is not
	// readable cross-origin unless exposed), so Status > 0 means yes.
	CORS   string
	Detail string // the error text, when any
}

var stepLabels = map[string]string{
	"well-known":               "Client discovery (/.well-known/matrix/client)",
	"versions":                 "Spec versions (/_matrix/client/versions)",
	"login":                    "Login flows (GET /_matrix/client/v3/login)",
	"auth_metadata":            "Auth metadata, stable (/_matrix/client/v1/auth_metadata)",
	"auth_metadata (unstable)": "Auth metadata, unstable MSC2965",
	"auth_issuer":              "Auth issuer, unstable MSC2965",
	"openid-configuration":     "OpenID configuration of the issuer",
}

// StepRows turns discovery steps into rows. inBrowser says the requests
// went through a browser's fetch, where any answer read proves CORS.
func StepRows(steps []signin.Step, inBrowser bool) []StepRow {
	rows := make([]StepRow, 0, len(steps))
	for i, s := range steps {
		r := StepRow{Name: s.Name, Label: stepLabels[s.Name], URL: s.URL, Time: FormatDuration(s.Duration), Detail: s.Error}
		if r.Label == "" {
			r.Label = s.Name
		}
		r.Status = "no answer"
		if s.Status > 0 {
			r.Status = fmt.Sprint(s.Status)
		}
		switch s.Result {
		case signin.StepOK:
			r.Result, r.OK = "ok", true
		case signin.StepAbsent:
			// The metadata chain and the well-known move on past a 404; so
			// does a typed bare origin without /versions, to its
			// well-known (signin's discovery, issue 13).
			r.Result, r.OK = "not there", s.Name != "versions" || slices.ContainsFunc(steps[i+1:], func(n signin.Step) bool { return n.Name == "well-known" })
		default:
			r.Result = string(s.Result)
		}
		switch {
		case s.CORS, inBrowser && s.Status > 0:
			r.CORS = "yes"
		case inBrowser || s.Status > 0:
			r.CORS = "no"
		default:
			r.CORS = "unknown"
		}
		rows = append(rows, r)
	}
	return rows
}

// FormatDuration writes a request time in whole milliseconds ("<1 ms"
// below one).
func FormatDuration(d time.Duration) string {
	if d < time.Millisecond {
		return "<1 ms"
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// SignInView is what the sign-in page shows after a discovery.
type SignInView struct {
	// ContinueLabel is the label of the one sign-in button (Hints), empty
	// when mxauth cannot sign in there.
	ContinueLabel string
	// CreateAccount shows "Create account" (Hints.ShowCreateAccount).
	CreateAccount bool
	// Explanation says in plain words why there is no button
	// (Hints.Explanation).
	Explanation string
	// Providers replace the ContinueLabel button with one per identity
	// provider of a legacy SSO server (Hints.Providers).
	Providers []signin.ProviderButton
}

// SignInFor reads the decision of info.Hints. mxauth signs in through an
// OAuth 2.0 server or, on a server without one, through the legacy SSO
// route (m.login.sso); any other server gets the Hints' explanation, the
// sentence <mxauth-login> shows too, instead of buttons; a password form
// is never drawn.
func SignInFor(info *auth.ServerInfo) SignInView {
	if info == nil {
		return SignInView{}
	}
	h := info.Hints
	return SignInView{ContinueLabel: h.ContinueWith, CreateAccount: h.ShowCreateAccount, Providers: h.Providers, Explanation: h.Explanation}
}

// ErrorText explains a failure in plain words, with the server's own text
// where it gave one.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	var e *autherr.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	var s string
	switch e.Code {
	case autherr.InvalidInput:
		s = "That is not something mxauth can read: " + e.Error()
	case autherr.Network:
		s = "The browser got no answer it may read. Either the server is down or it sends no CORS headers " +
			"(Access-Control-Allow-Origin), which browsers need to read it. The Server check page shows which."
	case autherr.Timeout:
		s = "The server took too long to answer."
	case autherr.NotAHomeserver:
		s = "That server does not answer like a Matrix homeserver (/_matrix/client/versions)."
	case autherr.DiscoveryFailed:
		s = "Client discovery failed: " + e.Error()
	case autherr.MetadataInvalid:
		s = "The server's auth metadata is not valid: " + e.Error()
	case autherr.RegistrationFailed:
		s = "The OAuth server refuses to register this page as a client: " + e.Error()
	case autherr.AuthorizationDenied:
		s = "The sign-in was cancelled or refused."
	case autherr.NoPendingLogin:
		s = "There is no sign-in waiting to be completed here (it was completed already, or started in another browser)."
	case autherr.SessionExpired:
		s = "The session has ended; sign in again."
	case autherr.NotFound:
		s = "Not found."
	case autherr.Forbidden:
		s = "The server does not show this to us."
	case autherr.RateLimited:
		s = "The server asks us to slow down; try again in a moment."
	default:
		s = e.Error()
	}
	if e.Message != "" && !strings.Contains(s, e.Message) {
		s += " The server said: " + e.Message
	}
	return s
}

// ErrorCode is the stable code of err ("" for nil).
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	return string(autherr.CodeOf(err))
}

// Countdown writes the time left until expiresAt: "4:59", "1:02:03",
// "expired", or "unknown" when the server gave no expiry (zero).
func Countdown(expiresAt, now time.Time) string {
	if expiresAt.IsZero() {
		return "unknown"
	}
	left := expiresAt.Sub(now)
	if left <= 0 {
		return "expired"
	}
	sec := int64(left.Seconds())
	if h := sec / 3600; h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

// AccountLink is one account management link.
type AccountLink struct {
	Action auth.AccountAction
	Label  string
	URL    string
}

var accountActions = []struct {
	action auth.AccountAction
	label  string
}{
	{auth.AccountActionProfile, "Profile"},
	{auth.AccountActionDevicesList, "Devices"},
	{auth.AccountActionDeviceView, "This device"},
	{auth.AccountActionDeviceDelete, "Remove this device"},
	{auth.AccountActionCrossSigningReset, "Reset cross-signing"},
	{auth.AccountActionAccountDeactivate, "Deactivate account"},
}

// AccountLinks lists "Manage account" and then every advertised account
// action (MSC4191) of the session, under its stable name; an older name the
// server lists maps to the same link (auth.AccountURL). None when the
// server has no account management URI.
func AccountLinks(s *auth.Session) []AccountLink {
	if s == nil || s.AccountManagementURI == "" {
		return nil
	}
	links := []AccountLink{{Label: "Manage account", URL: s.AccountURL("", "")}}
	if len(s.AccountManagementActions) == 0 {
		// AccountURL sends the stable name to a server that lists none,
		// but a link per action would promise pages nobody advertised.
		return links
	}
	for _, a := range accountActions {
		u := s.AccountURL(a.action, "")
		if strings.Contains(u, "action=") {
			links = append(links, AccountLink{Action: a.action, Label: a.label, URL: u})
		}
	}
	return links
}

// RoomCard is a room summary as the room page shows it: every field is
// text, to be drawn as text, never as HTML.
type RoomCard struct {
	Title    string // the name, else the alias, else the room id
	Topic    string
	Alias    string
	RoomID   string
	Initials string
	Color    string // "#rrggbb" of the placeholder avatar
	Members  string // "1.2k members"
	// MembersTitle is the exact count ("1,234 joined").
	MembersTitle string
	Facts        []string
	Source       string // room.Source
	// SourceLabel says in words which summary path answered.
	SourceLabel string
	MatrixTo    string
}

var sourceLabels = map[room.Source]string{
	room.SourceRoomSummary:     "the stable room summary (GET /_matrix/client/v1/room_summary, MSC3266)",
	room.SourceUnstableSummary: "the unstable room summary (im.nheko.summary, MSC3266)",
	room.SourceHierarchy:       "the space hierarchy (GET /_matrix/client/v1/rooms/{id}/hierarchy)",
	room.SourcePublicRooms:     "the public room directory (/publicRooms)",
}

// CardFor draws a summary.
func CardFor(s *room.Summary) RoomCard {
	if s == nil {
		return RoomCard{}
	}
	v := room.Card(s) // the card's view, as the npm element draws it
	c := RoomCard{Title: v.Title, Topic: s.Topic, Alias: s.CanonicalAlias, RoomID: s.RoomID,
		Initials: v.Initials, Color: v.Color, Members: v.Members, MembersTitle: v.MembersTitle,
		Source: string(s.Source), SourceLabel: sourceLabels[s.Source], MatrixTo: s.MatrixToURL}
	if c.SourceLabel == "" {
		c.SourceLabel = string(s.Source)
	}
	if s.RoomType == "m.space" {
		c.Facts = append(c.Facts, "space")
	}
	if s.JoinRule != "" {
		c.Facts = append(c.Facts, "join rule: "+s.JoinRule)
	}
	if s.WorldReadable {
		c.Facts = append(c.Facts, "history readable by anyone")
	}
	if s.GuestCanJoin {
		c.Facts = append(c.Facts, "guests can join")
	}
	if s.Encryption != "" {
		c.Facts = append(c.Facts, "encrypted")
	}
	if s.RoomVersion != "" {
		c.Facts = append(c.Facts, "room version "+s.RoomVersion)
	}
	return c
}

// AvatarSVG draws the placeholder avatar: a circle in the room's colour with
// its initials. Its only variable text is XML-escaped, so it is safe to
// insert as markup.
func AvatarSVG(c RoomCard) string {
	return `<svg class="avatar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">` +
		`<circle cx="24" cy="24" r="24" fill="` + html.EscapeString(c.Color) + `"/>` +
		`<text x="24" y="30" text-anchor="middle" font-family="sans-serif" font-size="18" font-weight="700" fill="#fff">` +
		html.EscapeString(c.Initials) + `</text></svg>`
}

// EmbedSnippet is the HTML a page pastes to show the room with the npm
// package's element; the reference is attribute-escaped.
func EmbedSnippet(ref string) string {
	return `<mxauth-room-card room="` + html.EscapeString(ref) + `"></mxauth-room-card>`
}

// BadgeCommand is the shell command that writes the room's static badge,
// with the reference single-quoted for POSIX shells.
func BadgeCommand(ref string) string {
	return "mxauth badge " + shellQuote(ref) + " > badge.svg"
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Redirect is the callback page's address for a page at pageURL: the
// redirect URI the demo registers and signs in with.
func Redirect(pageURL *url.URL) string {
	return BaseURL(pageURL) + RouteCallback
}

// BaseURL is the folder of pageURL, ending in "/": where the site lives,
// whatever sub-path a host put it under.
func BaseURL(pageURL *url.URL) string {
	if pageURL == nil {
		return ""
	}
	p := pageURL.Path
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[:i+1]
	} else {
		p = "/"
	}
	return pageURL.Scheme + "://" + pageURL.Host + p
}

// ClientFor is the client metadata the demo registers with from pageURL.
// On a loopback address it is a native client (signin.ApplicationTypeOf) and
// client_uri is clientURI (a public https URL, per MAS's rules). Anywhere
// else it is a web client, and MAS wants the redirect URI on client_uri's
// host, so client_uri is the site's own address unless clientURI already
// shares its host.
func ClientFor(pageURL *url.URL, clientURI string) auth.ClientMetadata {
	meta := auth.ClientMetadata{Name: ClientName, URI: clientURI}
	if pageURL == nil || serverrule.IsLoopback(pageURL.Hostname()) {
		return meta
	}
	if u, err := url.Parse(clientURI); err != nil || !strings.EqualFold(u.Hostname(), pageURL.Hostname()) {
		meta.URI = BaseURL(pageURL)
	}
	return meta
}

// RegistrationCheck is what MAS's client registration rules say of a
// client URI and redirect URI.
type RegistrationCheck struct {
	OK      bool
	AppType string      // "native" or "web"
	Rule    signin.Rule // the refused rule
	Field   string
	Message string
}

// CheckRegistration runs signin.CheckClientMetadata.
func CheckRegistration(clientURI, redirectURI string) RegistrationCheck {
	rc := RegistrationCheck{AppType: string(signin.ApplicationTypeOf(redirectURI))}
	err := signin.CheckClientMetadata(auth.ClientMetadata{Name: ClientName, URI: clientURI}, redirectURI)
	if err == nil {
		rc.OK = true
		return rc
	}
	rc.Message = err.Error()
	var e *autherr.Error
	if errors.As(err, &e) {
		rc.Rule, rc.Field = signin.Rule(e.Details["rule"]), e.Details["field"]
	}
	return rc
}

// Fact is one line of the server check's summary: a name, what was found,
// and what an admin could do about it (empty when nothing).
type Fact struct {
	Name, Value, Advice string
	OK                  bool
}

// Report is the server check page's view of a discovery.
type Report struct {
	Rows  []StepRow
	Facts []Fact
}

// ReportFor builds the admin's view of info.
func ReportFor(info *auth.ServerInfo, inBrowser bool) Report {
	r := Report{Rows: StepRows(info.Steps, inBrowser)}
	add := func(ok bool, name, value, advice string) {
		if ok {
			advice = ""
		}
		r.Facts = append(r.Facts, Fact{Name: name, Value: value, Advice: advice, OK: ok})
	}
	add(true, "Server name", info.ServerName, "")
	add(true, "Client-server API", info.BaseURL, "")
	add(len(info.Versions) > 0, "Spec versions", strings.Join(info.Versions, " "), "The server lists no spec versions.")
	for _, row := range r.Rows {
		if row.CORS == "no" {
			add(false, "CORS on "+row.Name, "missing",
				"Browsers cannot read "+row.URL+". Send Access-Control-Allow-Origin: * on it (the spec asks for it on every client-server and well-known endpoint).")
		}
	}
	if o := info.OAuth; o != nil {
		switch o.Source {
		case signin.SourceStable:
			add(true, "Auth metadata", "stable endpoint (/_matrix/client/v1/auth_metadata)", "")
		case signin.SourceUnstable:
			add(false, "Auth metadata", "unstable endpoint only (org.matrix.msc2965)",
				"Clients that only know the stable endpoint will not find the OAuth server. Update the homeserver (Synapse ≥ 1.126 serves /_matrix/client/v1/auth_metadata).")
		default:
			add(false, "Auth metadata", "found only through the issuer ("+string(o.Source)+")",
				"Serve /_matrix/client/v1/auth_metadata; the issuer fallbacks are deprecated.")
		}
		add(true, "Issuer", o.Issuer, "")
		add(o.RegistrationEndpoint != "", "Dynamic client registration", orNone(o.RegistrationEndpoint),
			"Without a registration endpoint every client needs a pre-registered client id.")
		add(o.RevocationEndpoint != "", "Token revocation", orNone(o.RevocationEndpoint),
			"Without a revocation endpoint sign-out cannot end the session on the server.")
		add(o.AccountManagementURI != "", "Account management", orNone(o.AccountManagementURI),
			"Clients cannot link people to their account page.")
		add(true, "Account actions", orNone(strings.Join(o.AccountManagementActions, " ")), "")
		add(true, "Prompt values", orNone(strings.Join(o.PromptValues, " ")), "")
	} else {
		add(false, "Auth metadata", "none", "The server does not delegate sign-in to an OAuth 2.0 server; enable MAS for OAuth 2.0 sign-in.")
	}
	if info.Login != nil {
		add(true, "Login flows", orNone(strings.Join(info.Login.Flows, " ")), "")
		add(info.OAuth == nil || info.Login.OAuthAwarePreferred, "OAuth-aware SSO (MSC3824)", yesNo(info.Login.OAuthAwarePreferred),
			"Older clients will not know to use the OAuth flow: set oauth_aware_preferred on m.login.sso.")
	}
	h := info.Hints
	add(true, "Login screen (MSC3824)", fmt.Sprintf("button %q, create account %s, password form %s",
		h.ContinueWith, yesNo(h.ShowCreateAccount), yesNo(h.ShowPasswordForm)), "")
	return r
}

// ProbeResult is a direct look at one URL when discovery could not read it:
// whether the server answered at all and whether the answer carried CORS.
type ProbeResult struct {
	URL string
	// Reachable: the server answered (perhaps unreadably).
	Reachable bool
	// CORS: the answer could be read cross-origin.
	CORS   bool
	Status int
	Err    string
}

// ProbeAdvice explains a probe for an admin.
func ProbeAdvice(p ProbeResult) string {
	switch {
	case p.CORS:
		return "The browser can read " + p.URL + " (HTTP " + fmt.Sprint(p.Status) + ")."
	case p.Reachable:
		return "The server answers " + p.URL + " but without CORS headers, so browsers may not read it. " +
			"Add Access-Control-Allow-Origin: * to that response (and to everything under /_matrix/)."
	default:
		return "No answer from " + p.URL + ": the server is down, the name does not resolve, or a firewall is in the way."
	}
}

// ProbeURL is the first URL a failed Check depends on, for the page to
// probe: the last well-known request of its steps (for a loopback name
// whose host had no https, the plain http one), else the first /versions
// request (a typed URL, which is not looked up); "" when it asked neither.
func ProbeURL(info *auth.ServerInfo) string {
	if info == nil {
		return ""
	}
	for i := len(info.Steps) - 1; i >= 0; i-- {
		if info.Steps[i].Name == "well-known" {
			return info.Steps[i].URL
		}
	}
	for _, st := range info.Steps {
		if st.Name == "versions" {
			return st.URL
		}
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// MergeStep adds a step reported during a discovery to the live list; a
// step reported again under its name (its final result) replaces the first.
func MergeStep(steps []signin.Step, st signin.Step) []signin.Step {
	for i := range steps {
		if steps[i].Name == st.Name {
			out := append([]signin.Step(nil), steps...)
			out[i] = st
			return out
		}
	}
	return append(append([]signin.Step(nil), steps...), st)
}
