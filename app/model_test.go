package mxapp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/signin"
)

func TestStepRows(t *testing.T) {
	steps := []signin.Step{
		{Name: "well-known", Status: 200, Result: "ok", Duration: 12 * time.Millisecond},
		{Name: "auth_metadata", Status: 404, Result: "absent", Duration: 300 * time.Microsecond},
		{Name: "versions", Status: 404, Result: "absent"},
		{Name: "login", Status: 0, Result: "network", Error: "auth: fetch: network"},
		{Name: "odd", Status: 200, Result: "ok", CORS: true},
	}
	tests := []struct {
		name      string
		inBrowser bool
		want      []StepRow
	}{
		{"native", false, []StepRow{
			{Name: "well-known", Status: "200", Result: "ok", OK: true, Time: "12 ms", CORS: "no"},
			{Name: "auth_metadata", Status: "404", Result: "not there", OK: true, Time: "<1 ms", CORS: "no"},
			{Name: "versions", Status: "404", Result: "not there", OK: false, Time: "<1 ms", CORS: "no"},
			{Name: "login", Status: "no answer", Result: "network", Time: "<1 ms", CORS: "unknown"},
			{Name: "odd", Status: "200", Result: "ok", OK: true, Time: "<1 ms", CORS: "yes"},
		}},
		{"browser: an answer read is CORS", true, []StepRow{
			{Name: "well-known", CORS: "yes"}, {Name: "auth_metadata", CORS: "yes"}, {Name: "versions", CORS: "yes"},
			{Name: "login", CORS: "no"}, {Name: "odd", CORS: "yes"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StepRows(steps, tt.inBrowser)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d rows, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Name != w.Name || g.CORS != w.CORS || (w.Status != "" && (g.Status != w.Status || g.Result != w.Result || g.OK != w.OK || g.Time != w.Time)) {
					t.Errorf("row %d: got %+v, want %+v", i, g, w)
				}
				if g.Label == "" {
					t.Errorf("row %d has no label", i)
				}
			}
		})
	}
}

// TestStepRowsTypedOrigin: a typed bare origin without /versions moves on
// to its well-known, so that 404 is no failure; without a well-known after
// it, it is.
func TestStepRowsTypedOrigin(t *testing.T) {
	absent := signin.Step{Name: "versions", Status: 404, Result: signin.StepAbsent}
	wk := signin.Step{Name: "well-known", Status: 200, Result: signin.StepOK}
	for _, tt := range []struct {
		name  string
		steps []signin.Step
		row   int // the /versions 404
		ok    bool
	}{
		{"then the well-known", []signin.Step{absent, wk, {Name: "versions", Status: 200, Result: signin.StepOK}}, 0, true},
		{"alone", []signin.Step{absent, {Name: "login", Status: 404, Result: signin.StepAbsent}}, 0, false},
		{"after the well-known", []signin.Step{wk, absent}, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := StepRows(tt.steps, false)[tt.row].OK; got != tt.ok {
				t.Errorf("the /versions 404 row OK %v, want %v", got, tt.ok)
			}
		})
	}
}

func TestSignInFor(t *testing.T) {
	oauth := &signin.OAuthInfo{Issuer: "https://auth.example.org/", PromptValues: []string{"login", "create"}}
	tests := []struct {
		name        string
		info        *auth.ServerInfo
		wantLabel   string
		wantCreate  bool
		explainHas  string
		wantExplain bool
	}{
		{"nil", nil, "", false, "", false},
		{"delegates with create", &auth.ServerInfo{ServerName: "example.org", OAuth: oauth,
			Login: &signin.LoginInfo{Flows: []string{"m.login.sso"}, OAuthAwarePreferred: true}},
			"Continue with example.org", true, "", false},
		{"password only", &auth.ServerInfo{ServerName: "pw.example", Login: &signin.LoginInfo{Flows: []string{"m.login.password"}}},
			"", false, "pw.example signs in with a password only", true},
		{"sso without metadata", &auth.ServerInfo{ServerName: "sso.example", Login: &signin.LoginInfo{Flows: []string{"m.login.sso"}}},
			"Continue with sso.example", false, "", false},
		{"nothing", &auth.ServerInfo{ServerName: "bare.example"}, "", false, "bare.example offers no sign-in this page can use", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.info != nil {
				tt.info.Hints = signin.DecideHints(tt.info) // the one decision
			}
			got := SignInFor(tt.info)
			if got.ContinueLabel != tt.wantLabel || got.CreateAccount != tt.wantCreate {
				t.Errorf("got %+v, want label %q create %v", got, tt.wantLabel, tt.wantCreate)
			}
			if (got.Explanation != "") != tt.wantExplain || !strings.Contains(got.Explanation, tt.explainHas) {
				t.Errorf("explanation %q, want one containing %q", got.Explanation, tt.explainHas)
			}
			if tt.info != nil && got.Explanation != tt.info.Hints.Explanation {
				t.Errorf("explanation %q, not the hints' %q: the element shows those words", got.Explanation, tt.info.Hints.Explanation)
			}
		})
	}
}

// SignInFor draws the hints it is given and decides nothing itself: hints
// that say no button, with their own words, are shown as they are, even
// for a server whose flows would decide otherwise.
func TestSignInForDrawsTheHints(t *testing.T) {
	info := &auth.ServerInfo{ServerName: "sso.example", Login: &signin.LoginInfo{Flows: []string{"m.login.sso"}},
		Hints: signin.Hints{Unavailable: signin.UnavailablePasswordOnly, Explanation: "words from the hints"}}
	if v := SignInFor(info); v.ContinueLabel != "" || v.Explanation != "words from the hints" {
		t.Errorf("view %+v", v)
	}
	info.Hints = signin.Hints{ContinueWith: "Continue with sso.example"}
	if v := SignInFor(info); v.ContinueLabel != "Continue with sso.example" || v.Explanation != "" {
		t.Errorf("view %+v", v)
	}
}

func TestCountdown(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		name      string
		expiresAt time.Time
		want      string
	}{
		{"unknown", time.Time{}, "unknown"},
		{"expired", now.Add(-time.Second), "expired"},
		{"minutes", now.Add(4*time.Minute + 59*time.Second + 500*time.Millisecond), "4:59"},
		{"hours", now.Add(time.Hour + 2*time.Minute + 3*time.Second), "1:02:03"},
	}
	for _, tt := range tests {
		if got := Countdown(tt.expiresAt, now); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAccountLinks(t *testing.T) {
	s := &auth.Session{DeviceID: "ABCDEFGHIJ", AccountManagementURI: "https://auth.example.org/account/",
		AccountManagementActions: []string{"org.matrix.profile", "org.matrix.sessions_list", "org.matrix.session_view"}}
	got := AccountLinks(s)
	var labels []string
	for _, l := range got {
		labels = append(labels, l.Label)
	}
	if want := "Manage account Profile Devices This device"; strings.Join(labels, " ") != want {
		t.Errorf("labels %q, want %q", strings.Join(labels, " "), want)
	}
	if got[0].URL != "https://auth.example.org/account/" {
		t.Errorf("manage link %q", got[0].URL)
	}
	if !strings.Contains(got[3].URL, "device_id=ABCDEFGHIJ") {
		t.Errorf("device link %q has no device id", got[3].URL)
	}
	// A server that lists no actions: only the account page.
	s.AccountManagementActions = nil
	if got := AccountLinks(s); len(got) != 1 || got[0].Label != "Manage account" {
		t.Errorf("no actions listed: links %+v", got)
	}
	if AccountLinks(&auth.Session{}) != nil || AccountLinks(nil) != nil {
		t.Error("links without an account URI")
	}
}

func TestRoomText(t *testing.T) {
	s := &room.Summary{RoomID: "!r:example.org", CanonicalAlias: "#a:example.org", Name: `<b>"x"</b>`,
		NumJoinedMembers: 1234, JoinRule: "public", WorldReadable: true, Source: room.SourcePublicRooms}
	c := CardFor(s)
	if c.Title != `<b>"x"</b>` || c.Members != "1.2k members" || !strings.Contains(c.SourceLabel, "public room directory") {
		t.Errorf("card %+v", c)
	}
	if svg := AvatarSVG(CardFor(&room.Summary{RoomID: "!r:x", Name: "<script>"})); strings.Contains(svg, "<script") {
		t.Errorf("avatar not escaped: %s", svg)
	}
	if got, want := EmbedSnippet(`#a"b<c>:x`), `<mxauth-room-card room="#a&#34;b&lt;c&gt;:x"></mxauth-room-card>`; got != want {
		t.Errorf("snippet %q, want %q", got, want)
	}
	if got, want := BadgeCommand(`#it's:x`), `mxauth badge '#it'\''s:x' > badge.svg`; got != want {
		t.Errorf("command %q, want %q", got, want)
	}
	if CardFor(&room.Summary{RoomID: "!only:x"}).Title != "!only:x" {
		t.Error("a room without name or alias shows its id")
	}
}

func TestClientFor(t *testing.T) {
	must := func(s string) *url.URL { u, _ := url.Parse(s); return u }
	tests := []struct {
		name, page, clientURI, wantURI, wantRedirect string
		wantType                                     signin.ApplicationType
	}{
		{"loopback is native with the flag's URI", "http://127.0.0.1:8080/?server=x", "https://mxauth.example/",
			"https://mxauth.example/", "http://127.0.0.1:8080/callback.html", signin.ApplicationTypeNative},
		{"sub-path host is web on its own origin", "https://someone.github.io/mxauth/room.html", "https://mxauth.example/",
			"https://someone.github.io/mxauth/", "https://someone.github.io/mxauth/callback.html", signin.ApplicationTypeWeb},
		{"same host keeps the flag", "https://demo.example.org/x/", "https://demo.example.org/",
			"https://demo.example.org/", "https://demo.example.org/x/callback.html", signin.ApplicationTypeWeb},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := must(tt.page)
			meta := ClientFor(page, tt.clientURI)
			redirect := Redirect(page)
			if meta.URI != tt.wantURI || redirect != tt.wantRedirect || signin.ApplicationTypeOf(redirect) != tt.wantType {
				t.Errorf("got %q %q %s, want %q %q %s", meta.URI, redirect, signin.ApplicationTypeOf(redirect), tt.wantURI, tt.wantRedirect, tt.wantType)
			}
			if err := signin.CheckClientMetadata(meta, redirect); err != nil {
				t.Errorf("MAS's rules refuse the demo's own client: %v", err)
			}
		})
	}
}

func TestCheckRegistration(t *testing.T) {
	tests := []struct {
		name, clientURI, redirect string
		ok                        bool
		rule                      signin.Rule
	}{
		{"native loopback", "https://mxauth.example/", "http://127.0.0.1:9/callback.html", true, ""},
		{"http client uri", "http://mxauth.example/", "http://127.0.0.1:9/callback.html", false, signin.RuleHTTPS},
		{"web on another host", "https://mxauth.example/", "https://other.example/callback.html", false, signin.RuleSameHost},
		{"missing", "", "https://x.example/", false, signin.RuleRequired},
	}
	for _, tt := range tests {
		got := CheckRegistration(tt.clientURI, tt.redirect)
		if got.OK != tt.ok || got.Rule != tt.rule || (!got.OK && got.Field == "") {
			t.Errorf("%s: got %+v, want ok %v rule %q", tt.name, got, tt.ok, tt.rule)
		}
	}
}

// TestProbeURL: the Server check page probes the URL discovery really
// asked first, which for a name with a port is the well-known on the host
// alone, and for a typed URL its /versions (issue 13: a typed URL is not
// looked up; a bare origin is asked /versions first).
func TestProbeURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"matrix.org", "https://matrix.org/.well-known/matrix/client"},
		{"example.org:8448", "https://example.org/.well-known/matrix/client"},
		{"@alice:example.org:8448", "https://example.org/.well-known/matrix/client"},
		{"https://hs.example.org:8448/prefix", "https://hs.example.org:8448/prefix/_matrix/client/versions"},
		{"https://hs.example.org:8448/", "https://hs.example.org:8448/_matrix/client/versions"},
	} {
		rec := &recordingTransport{}
		c := &auth.Client{HTTPClient: &http.Client{Transport: rec}, Timeout: time.Second}
		info, err := c.Check(context.Background(), tt.in)
		if err == nil {
			t.Fatalf("Check(%q) worked on a network that refuses everything", tt.in)
		}
		got := ProbeURL(info)
		if got != tt.want {
			t.Errorf("ProbeURL(Check(%q)) = %q, want %q", tt.in, got, tt.want)
		}
		if asked := rec.urls(); !slices.Contains(asked, got) {
			t.Errorf("Check(%q) asked %v, the page would probe %q", tt.in, asked, got)
		}
	}
	if got := ProbeURL(nil); got != "" {
		t.Errorf("ProbeURL(nil) = %q", got)
	}
}

// recordingTransport refuses every request as an unreachable host does,
// and records what was asked.
type recordingTransport struct {
	mu    sync.Mutex
	asked []string
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.asked = append(r.asked, req.URL.String())
	r.mu.Unlock()
	return nil, errors.New("dial tcp: connection refused")
}

func (r *recordingTransport) urls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.asked...)
}

func TestMergeStep(t *testing.T) {
	var live []signin.Step
	live = MergeStep(live, signin.Step{Name: "well-known", Result: "ok"})
	live = MergeStep(live, signin.Step{Name: "auth_metadata", Result: "ok"})
	live = MergeStep(live, signin.Step{Name: "auth_metadata", Result: "metadata_invalid"})
	if len(live) != 2 || live[1].Result != "metadata_invalid" {
		t.Fatalf("got %+v", live)
	}
}

// TestCardForDrawsTheView: the demo's room card shows what the npm
// element shows, on the table both are held to (auth/room's
// testdata/cardview.json).
func TestCardForDrawsTheView(t *testing.T) {
	b, err := os.ReadFile("../auth/room/testdata/cardview.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Summary room.Summary  `json:"summary"`
		View    room.CardView `json:"view"`
	}
	if err := json.Unmarshal(b, &cases); err != nil || len(cases) == 0 {
		t.Fatalf("cardview.json: %v", err)
	}
	for _, tt := range cases {
		c := CardFor(&tt.Summary)
		got := room.CardView{Title: c.Title, Initials: c.Initials, Color: c.Color, Members: c.Members, MembersTitle: c.MembersTitle}
		if got != tt.View {
			t.Errorf("CardFor(%q):\n got %+v\nwant %+v", tt.Summary.RoomID, got, tt.View)
		}
		if svg := AvatarSVG(c); !strings.Contains(svg, ">"+tt.View.Initials+"<") || !strings.Contains(svg, tt.View.Color) {
			t.Errorf("AvatarSVG(%q) = %s", tt.Summary.RoomID, svg)
		}
	}
}

// A legacy SSO server with several identity providers gets one button
// each, from the same decision as the element (Hints.Providers).
func TestSignInForProviders(t *testing.T) {
	info := &auth.ServerInfo{ServerName: "sso.example", Login: &signin.LoginInfo{Flows: []string{"m.login.sso"},
		IdentityProviders: []signin.IdentityProvider{{ID: "gh", Name: "GitHub"}, {ID: "gl", Name: "GitLab"}}}}
	info.Hints = signin.DecideHints(info)
	v := SignInFor(info)
	if len(v.Providers) != 2 || v.Providers[1].Label != "Continue with GitLab" || v.Providers[1].IDP != "gl" || v.Explanation != "" {
		t.Errorf("view %+v", v)
	}
}
