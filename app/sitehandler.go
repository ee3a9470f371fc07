package mxapp

import (
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// CSP is the Content-Security-Policy the demo site runs under (CONTRACT.md
// §3): no inline script, WebAssembly allowed, requests to any homeserver.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src *"

// SiteHandler serves a generated site folder as a static host would, with
// the CSP header, no caching (a demo is rebuilt often), and the .br or .gz
// file beside a file when the browser accepts that encoding.
func SiteHandler(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") {
			p = strings.TrimSuffix(p, "/") + "/index.html"
		}
		name := filepath.Join(dir, filepath.FromSlash(p))
		if fi, err := os.Stat(name); err == nil && fi.IsDir() {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		} else if err != nil && filepath.Ext(name) == "" {
			name += ".html" // /callback serves callback.html, as GitHub Pages does
		}
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		ctype := mime.TypeByExtension(filepath.Ext(name))
		switch filepath.Ext(name) {
		case ".wasm":
			ctype = "application/wasm"
		case ".webmanifest":
			ctype = "application/manifest+json"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		}
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		h.Add("Vary", "Accept-Encoding")
		accept := r.Header.Get("Accept-Encoding")
		for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
			if !strings.Contains(accept, enc.token) {
				continue
			}
			if _, err := os.Stat(name + enc.ext); err == nil {
				h.Set("Content-Encoding", enc.token)
				http.ServeFile(w, r, name+enc.ext)
				return
			}
		}
		if _, err := os.Stat(name); err != nil {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, name)
	})
}
