package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/signin"
)

// Media is a media file fetched with a session's token.
type Media struct {
	// ContentType is the answer's media type, without parameters.
	ContentType string
	Body        []byte
}

// maxThumbnailBytes bounds a thumbnail's body: an avatar is kilobytes.
const maxThumbnailBytes = 2 << 20

// thumbnailTypes are the image types a thumbnail may have. SVG is not one:
// a page turns the bytes into a blob: URL of its own origin, and an SVG
// opened there runs its scripts as the page.
var thumbnailTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}

// Thumbnail fetches a w×h thumbnail of an mxc:// URI through the current
// session's homeserver with its token (authenticated media, spec v1.11).
// The token never leaves the library: a page gets bytes, never a URL that
// needs the token. No session is session_expired, missing media not_found,
// an answer that is not a raster image server_error.
//
// A session without a refresh token (a legacy server that grants none)
// whose token the server no longer knows (401 M_UNKNOWN_TOKEN, not a
// soft logout) has ended: it is forgotten, as a refused refresh would be.
func (c *Client) Thumbnail(ctx context.Context, mxc string, w, h int) (*Media, error) {
	const op = "thumbnail"
	s, err := c.Session(ctx)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, autherr.New(autherr.SessionExpired, op, "nobody is signed in")
	}
	u, err := room.ThumbnailURL(s.BaseURL, mxc, w, h)
	if err != nil {
		return nil, err
	}
	ts := c.TokenSource(ctx, s)
	cur, err := ts.Session(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, signin.Request{Op: op, URL: u, Bearer: cur.AccessToken, Insecure: cur.Insecure, Limit: maxThumbnailBytes})
	if err != nil {
		return nil, withoutSecrets(err, cur.AccessToken)
	}
	if resp.Status != http.StatusOK {
		e := autherr.FromReply(op, autherr.Classify(resp.Status, resp.Body, autherr.ServerError), resp.Status, resp.Body)
		_ = withoutSecrets(e, cur.AccessToken)
		if resp.Status == http.StatusUnauthorized {
			e.Code = autherr.Forbidden
			if cur.RefreshToken == "" && e.Errcode == "M_UNKNOWN_TOKEN" && !softLogout(resp.Body) {
				_ = c.endSession(ctx, cur)
				e.Code = autherr.SessionExpired
			}
		}
		return nil, e
	}
	typ := strings.ToLower(strings.TrimSpace(strings.Split(resp.Header("Content-Type"), ";")[0]))
	ok := false
	for _, t := range thumbnailTypes {
		ok = ok || typ == t
	}
	if !ok {
		return nil, autherr.New(autherr.ServerError, op, "the thumbnail is %q, not a raster image", signin.ClipText(typ, 64))
	}
	return &Media{ContentType: typ, Body: resp.Body}, nil
}

// softLogout reads a 401 body's soft_logout (spec "Soft logout"): true
// means the session may still be refreshed or resumed.
func softLogout(body []byte) bool {
	var b struct {
		SoftLogout bool `json:"soft_logout"`
	}
	return json.Unmarshal(body, &b) == nil && b.SoftLogout
}
