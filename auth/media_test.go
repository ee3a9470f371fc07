package auth

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// avatarOf is the mxc:// avatar of a sandbox room that has one.
func avatarOf(t *testing.T, sb *sandbox.Server) string {
	t.Helper()
	for _, r := range sb.Rooms() {
		if r.AvatarURL != "" {
			return r.AvatarURL
		}
	}
	t.Fatal("no sandbox room has an avatar")
	return ""
}

func TestThumbnail(t *testing.T) {
	ctx := context.Background()
	sb := startSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	mxc := avatarOf(t, sb)

	_, err := c.Thumbnail(ctx, mxc, 64, 64)
	wantCode(t, err, autherr.SessionExpired)

	s := sandboxLogin(t, c, loginOpts(sb))
	m, err := c.Thumbnail(ctx, mxc, 64, 64)
	if err != nil {
		t.Fatalf("Thumbnail: %v", err)
	}
	if m.ContentType != "image/png" || !bytes.HasPrefix(m.Body, []byte("\x89PNG")) {
		t.Fatalf("got %s, %d bytes", m.ContentType, len(m.Body))
	}
	var asked *sandbox.Request
	for _, r := range sb.Log() {
		if r.Method == "GET" && strings.HasPrefix(r.Path, "/_matrix/client/v1/media/thumbnail/") {
			r := r
			asked = &r
		}
	}
	if asked == nil || asked.Status != http.StatusOK || asked.Query != "width=64&height=64&method=crop" {
		t.Fatalf("thumbnail request %+v", asked)
	}

	_, err = c.Thumbnail(ctx, "mxc://"+sb.ServerName()+"/nosuchmedia", 64, 64)
	if e := wantCode(t, err, autherr.NotFound); strings.Contains(e.Error(), s.AccessToken) {
		t.Errorf("error carries the token: %v", e)
	}
	_, err = c.Thumbnail(ctx, "https://evil.example/a.png", 64, 64)
	wantCode(t, err, autherr.InvalidInput)
	_, err = c.Thumbnail(ctx, mxc, 0, 64)
	wantCode(t, err, autherr.InvalidInput)
}

// TestThumbnailTypes: only raster images come back; an SVG (which would
// run as the page from a blob: URL) or HTML is refused.
func TestThumbnailTypes(t *testing.T) {
	ctx := context.Background()
	sb := startSandbox(t, sandbox.Config{})
	c := loginClient(nil)
	s := sandboxLogin(t, c, loginOpts(sb))
	for _, typ := range []string{"image/svg+xml", "text/html; charset=utf-8", "", "image/png; x=1"} {
		t.Run(typ, func(t *testing.T) {
			var auth string
			media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				auth = r.Header.Get("Authorization")
				w.Header().Set("Content-Type", typ)
				_, _ = w.Write([]byte("<svg onload=alert(1)></svg>"))
			}))
			defer media.Close()
			// The session points at the test server (a Store edit; no
			// discovery involved).
			s2 := *s
			s2.BaseURL = media.URL
			if err := c.saveSession(ctx, &s2); err != nil {
				t.Fatal(err)
			}
			m, err := c.Thumbnail(ctx, "mxc://example.org/abc", 32, 32)
			if auth != "Bearer "+s.AccessToken {
				t.Errorf("Authorization %q", auth)
			}
			if typ == "image/png; x=1" {
				if err != nil || m.ContentType != "image/png" {
					t.Fatalf("png: %v %+v", err, m)
				}
				return
			}
			wantCode(t, err, autherr.ServerError)
		})
	}
}

// TestThumbnailEndsLegacySession: a legacy session without a refresh
// token whose token the server refuses (M_UNKNOWN_TOKEN, not soft) ends.
func TestThumbnailEndsLegacySession(t *testing.T) {
	ctx := context.Background()
	sb := legacySandbox(t, sandbox.Config{LegacyNoRefresh: true})
	c := loginClient(nil)
	p, err := c.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteLogin(ctx, ssoBrowser(t, p.URL)); err != nil {
		t.Fatal(err)
	}
	mxc := avatarOf(t, sb)
	if _, err := c.Thumbnail(ctx, mxc, 32, 32); err != nil {
		t.Fatalf("Thumbnail: %v", err)
	}
	sb.EndSessions("alice")
	_, err = c.Thumbnail(ctx, mxc, 32, 32)
	wantCode(t, err, autherr.SessionExpired)
	if s, _ := c.Session(ctx); s != nil {
		t.Errorf("session kept: %+v", s)
	}
}
