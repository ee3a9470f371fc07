//go:build !wasm

package mxapp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/room/httpfetch"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// These tests need a listener (the sandbox, GenerateSite's own server), so
// they run natively only.

func TestReportForSandbox(t *testing.T) {
	hs, err := sandbox.New(sandbox.Config{PromptCreate: true, Off: map[string]bool{sandbox.OffStableMetadata: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	info, err := (&auth.Client{}).Discover(context.Background(), hs.URL())
	if err != nil {
		t.Fatal(err)
	}
	r := ReportFor(info, false)
	var meta Fact
	for _, f := range r.Facts {
		if f.Name == "Auth metadata" {
			meta = f
		}
	}
	if meta.OK || !strings.Contains(meta.Value, "unstable") || meta.Advice == "" {
		t.Errorf("auth metadata fact %+v, want unstable with advice", meta)
	}
	for _, row := range r.Rows {
		if row.CORS != "yes" {
			t.Errorf("step %s: CORS %q, want yes (the sandbox sends it)", row.Name, row.CORS)
		}
	}
	if v := SignInFor(info); v.ContinueLabel != "Continue with "+hs.ServerName() || !v.CreateAccount {
		t.Errorf("sign-in view %+v", v)
	}

	// The room client the pages use, natively.
	rc := &room.Client{Fetch: httpfetch.New(nil)}
	ref, _ := room.ParseRoomRef(sandbox.RoomAlias(sandbox.RoomPublic, hs.ServerName()))
	s, err := rc.Summary(context.Background(), ref, room.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := CardFor(s); c.Members != "1.2k members" || c.SourceLabel == "" {
		t.Errorf("card %+v", c)
	}
}

func TestGenerateSite(t *testing.T) {
	Routes(&Env{})
	dir := t.TempDir()
	if err := GenerateSite(dir, SiteOptions{ClientURI: "https://demo.example/", Version: "t1"}); err != nil {
		t.Fatal(err)
	}
	abs := regexp.MustCompile(`\s(src|href)="/[^/]`)
	for _, page := range []string{"index.html", "callback.html", "room.html", "check.html"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if strings.Contains(s, basePlaceholder) || abs.MatchString(s) || strings.Contains(s, "og:url") {
			t.Errorf("%s has a root-absolute URL: %s", page, abs.FindString(s))
		}
		if !regexp.MustCompile(`<script [^>]*src="app.js"`).MatchString(s) || !strings.Contains(s, `href="web/site.css"`) {
			t.Errorf("%s does not load app.js and site.css relatively:\n%s", page, s)
		}
	}
	js, _ := os.ReadFile(filepath.Join(dir, "app.js"))
	for _, want := range []string{"const mxauthBase", `(mxauthBase + "/web/app.wasm")`, `"MXAUTH_CLIENT_URI":"https://demo.example/"`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("app.js lacks %q", want)
		}
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if !strings.Contains(string(cfg), `"clientUri": "https://demo.example/"`) {
		t.Errorf("config.json %s", cfg)
	}
	for _, f := range []string{"web/site.css", "web/icon.svg", "web/icon-192.png", "web/icon-512.png", "manifest.webmanifest", "app-worker.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}

	// Served by SiteHandler: CSP on every answer, .br when accepted,
	// /callback as callback.html.
	if err := os.WriteFile(filepath.Join(dir, "web", "app.wasm"), []byte("raw"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "web", "app.wasm.br"), []byte("br"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(SiteHandler(dir))
	defer srv.Close()
	get := func(path, enc string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp, b.String()
	}
	resp, body := get("/", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != CSP || !strings.Contains(body, "Sign in to Matrix") {
		t.Errorf("/: %d %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	if resp, body := get("/web/app.wasm", "gzip, br"); body != "br" || resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Errorf("app.wasm with br: %q %v", body, resp.Header)
	}
	if _, body := get("/web/app.wasm", ""); body != "raw" {
		t.Errorf("app.wasm plain: %q", body)
	}
	if resp, body := get("/callback", ""); resp.StatusCode != 200 || !strings.Contains(body, "<title>") {
		t.Errorf("/callback: %d", resp.StatusCode)
	}
	if resp, _ := get("/nope.html", ""); resp.StatusCode != 404 {
		t.Errorf("/nope.html: %d", resp.StatusCode)
	}
}
