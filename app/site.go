//go:build !wasm

package mxapp

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

//go:embed assets
var assets embed.FS

// basePlaceholder is the prefix go-app is told the site lives under while it
// generates the pages. GenerateSite rewrites it away: links become relative
// and app.js computes the real prefix from its own address, so one build
// works at / and under any /<sub>/.
const basePlaceholder = "/__mxauth_base__"

// SiteOptions configure GenerateSite.
type SiteOptions struct {
	// ClientURI is client_uri for pages on loopback; empty means
	// DefaultClientURI. It must be a public https URL (MAS's rules).
	ClientURI string
	// Version names the build (go-app's update check); empty means "dev".
	Version string
}

// Handler is the go-app handler the site is generated from.
func Handler(opts SiteOptions) *app.Handler {
	if opts.ClientURI == "" {
		opts.ClientURI = DefaultClientURI
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	return &app.Handler{
		Name:            "mxauth demo",
		ShortName:       "mxauth",
		Title:           "mxauth — sign in to Matrix",
		Description:     "Sign in to Matrix through the homeserver's OAuth 2.0 server, check a homeserver, preview rooms without a guest account.",
		Lang:            "en",
		Icon:            app.Icon{Default: "/web/icon-192.png", Large: "/web/icon-512.png", Maskable: "/web/icon-512.png", SVG: "/web/icon.svg"},
		BackgroundColor: "#f6f7f9",
		ThemeColor:      "#0a6e6a",
		LoadingLabel:    "Loading mxauth… {progress}%",
		Styles:          []string{"/web/site.css"},
		Resources:       app.PrefixedLocation(basePlaceholder),
		Env:             map[string]string{"MXAUTH_CLIENT_URI": opts.ClientURI},
		Version:         opts.Version,
		// No offline cache: a demo of live network behaviour should not be
		// answered by a service worker. go-app registers the worker anyway.
		ServiceWorkerTemplate: "// mxauth demo: no offline cache ({{.Version}}).\nself.addEventListener(\"install\", () => self.skipWaiting());\n",
	}
}

// GenerateSite writes the static site into dir (which it creates): the
// pages of Routes, go-app's scripts with the sub-path rewrite, the styles
// and icons under web/. app.wasm (and wasm_exec.js of the toolchain) are
// built separately into dir/web/app.wasm and dir/wasm_exec.js. Routes must
// have been called.
func GenerateSite(dir string, opts SiteOptions) error {
	if opts.ClientURI == "" {
		opts.ClientURI = DefaultClientURI
	}
	if err := os.MkdirAll(filepath.Join(dir, "web"), 0o755); err != nil {
		return err
	}
	if err := app.GenerateStaticWebsite(dir, Handler(opts)); err != nil {
		return fmt.Errorf("mxapp: generating the site: %w", err)
	}
	if err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "web", filepath.Base(p)), b, 0o644)
	}); err != nil {
		return err
	}
	for size, name := range map[int]string{192: "icon-192.png", 512: "icon-512.png"} {
		if err := os.WriteFile(filepath.Join(dir, "web", name), iconPNG(size), 0o644); err != nil {
			return err
		}
	}
	// config.json: what a host may change without a rebuild (the `mxauth
	// demo` server answers its own, naming the sandbox).
	cfg, err := json.MarshalIndent(Config{ClientURI: opts.ClientURI}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), append(cfg, '\n'), 0o644); err != nil {
		return err
	}
	return rewriteSite(dir)
}

var (
	scriptTag    = regexp.MustCompile(`(?is)<script\b[^>]*>`)
	styleTagOrAt = regexp.MustCompile(`(?is)<style\b|\sstyle="|\son[a-z]+="`)
	ogMeta       = regexp.MustCompile(`<meta [^>]*property="og:(url|image)"[^>]*>`)
	quotedBase   = regexp.MustCompile(`"` + basePlaceholder + `([^"]*)"`)
)

// rewriteSite makes the generated files prefix-free and checks them
// against the CSP: every <script> has a src, no inline style or handler.
func rewriteSite(dir string) error {
	pages, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return err
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := ogMeta.ReplaceAllString(string(b), "") // no Domain: they would be "https://"
		s = strings.ReplaceAll(s, basePlaceholder+"/", "")
		s = strings.ReplaceAll(s, basePlaceholder+"./", "./")
		s = strings.ReplaceAll(s, basePlaceholder+"#", "#")
		s = strings.ReplaceAll(s, basePlaceholder, "./")
		for _, tag := range scriptTag.FindAllString(s, -1) {
			if !strings.Contains(tag, " src=") {
				return fmt.Errorf("mxapp: %s has an inline script %q, which the CSP refuses", filepath.Base(p), tag)
			}
		}
		if m := styleTagOrAt.FindString(s); m != "" {
			return fmt.Errorf("mxapp: %s has inline style or handler %q, which the CSP refuses", filepath.Base(p), m)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			return err
		}
	}

	// app.js: the prefix is where app.js itself was loaded from.
	js, err := os.ReadFile(filepath.Join(dir, "app.js"))
	if err != nil {
		return err
	}
	out := "// mxauth: the site's path prefix, from this script's own address (works under any sub-path).\n" +
		"const mxauthBase = new URL(\".\", document.currentScript.src).pathname.replace(/\\/$/, \"\");\n" +
		quotedBase.ReplaceAllString(string(js), `(mxauthBase + "$1")`)
	if strings.Contains(out, basePlaceholder) {
		return fmt.Errorf("mxapp: app.js still names %s", basePlaceholder)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.js"), []byte(out), 0o644); err != nil {
		return err
	}

	// The manifest: relative scope, start URL and icons.
	mf := filepath.Join(dir, "manifest.webmanifest")
	m, err := os.ReadFile(mf)
	if err != nil {
		return err
	}
	ms := strings.ReplaceAll(string(m), `"scope":"/"`, `"scope":"./"`)
	ms = strings.ReplaceAll(ms, `"`+basePlaceholder+`"`, `"./"`)
	ms = strings.ReplaceAll(ms, basePlaceholder+"/", "")
	return os.WriteFile(mf, []byte(ms), 0o644)
}

// iconPNG draws the app icon: a teal square with a white ring and dot.
func iconPNG(size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	teal := color.RGBA{0x0a, 0x6e, 0x6a, 0xff}
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	c := float64(size) / 2
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			d := dx*dx + dy*dy
			r := c * 0.62
			switch {
			case d < (c*0.18)*(c*0.18):
				img.Set(x, y, white)
			case d < r*r && d > (r-c*0.14)*(r-c*0.14):
				img.Set(x, y, white)
			default:
				img.Set(x, y, teal)
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
