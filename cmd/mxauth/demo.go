package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	mxapp "github.com/mxauth/mxauth/app"
	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/serverrule"
)

func init() {
	commands["demo"] = command{
		summary: "start the sandbox on loopback and serve the demo site (--site dist/site) beside it",
		run:     runDemo,
	}
}

// runDemo is `make demo`: the sandbox plus a live discovery of it and, with
// --site, the static demo site served on loopback with its CSP and a
// config.json pointing it at the sandbox, so a fresh clone signs in with no
// network.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8008", "listen address (loopback); a busy port falls back to a free one")
	site := fs.String("site", "", "serve this demo site folder (make site writes dist/site)")
	siteAddr := fs.String("site-addr", "127.0.0.1:8080", "listen address of the demo site (loopback); a busy port falls back to a free one")
	clientURI := fs.String("client-uri", "", "client_uri the site registers with (a public https URL; default the site's build setting)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	hs, err := sandbox.New(sandbox.Config{Addr: *addr, PromptCreate: true})
	if err != nil {
		fmt.Fprintf(stderr, "mxauth demo: %s is busy (%v); using a free port\n", *addr, err)
		if hs, err = sandbox.New(sandbox.Config{PromptCreate: true}); err != nil {
			return err
		}
	}
	defer hs.Close()

	info, err := (&auth.Client{}).Discover(ctx, hs.URL())
	if err != nil {
		return fmt.Errorf("discovering the sandbox: %w", err)
	}
	w := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	w("mxauth demo: a Matrix homeserver with a MAS-like OAuth server is running at %s", hs.URL())
	w("")
	w("Discovery of %s:", info.ServerName)
	for _, s := range info.Steps {
		w("  %-26s %-8s %s", s.Name, s.Result, s.URL)
	}
	w("  base URL                   %s", info.BaseURL)
	w("  versions                   %s", strings.Join(info.Versions, " "))
	if info.OAuth != nil {
		w("  auth metadata              %s (issuer %s)", info.OAuth.Source, info.OAuth.Issuer)
		w("  authorization endpoint     %s", info.OAuth.AuthorizationEndpoint)
		w("  account management         %s", info.OAuth.AccountManagementURI)
	}
	if info.Login != nil {
		w("  login flows                %s (OAuth-aware preferred: %v)", strings.Join(info.Login.Flows, " "), info.Login.OAuthAwarePreferred)
	}
	w("")
	w("What a login screen shows (MSC3824):")
	w("  button:         %q", info.Hints.ContinueWith)
	w("  create account: %v", info.Hints.ShowCreateAccount)
	w("  password form:  %v", info.Hints.ShowPasswordForm)
	if *site != "" {
		siteURL, stop, err := serveSite(*site, *siteAddr, hs, *clientURI, stderr)
		if err != nil {
			return err
		}
		defer stop()
		w("")
		w("The demo site (served from %s with its Content-Security-Policy):", *site)
		w("  %s", siteURL)
		w("  sign in as alice or bob on the sandbox's page; room preview %s; server check %s",
			siteURL+mxapp.RouteRoom, siteURL+mxapp.RouteCheck)
	}
	w("")
	w("Try it:")
	w("  go run ./cmd/mxauth discover %s", hs.URL())
	w("  curl %s/_matrix/client/v1/auth_metadata", hs.URL())
	if info.OAuth != nil {
		w("  open %s in a browser (the account page)", info.OAuth.AccountManagementURI)
	}
	w("")
	w("Press Ctrl-C to stop.")
	<-ctx.Done()
	return nil
}

// serveSite serves the demo site folder on a loopback address, with a
// config.json that names the sandbox. It returns the site's URL.
func serveSite(dir, addr string, hs *sandbox.Server, clientURI string, stderr io.Writer) (string, func(), error) {
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		return "", nil, fmt.Errorf("no demo site in %s (run make site): %w", dir, err)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !serverrule.IsLoopback(host) {
		return "", nil, fmt.Errorf("--site-addr %q: the demo site is served on loopback only", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "mxauth demo: %s is busy (%v); using a free port\n", addr, err)
		if ln, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
			return "", nil, err
		}
	}
	cfg, _ := json.Marshal(mxapp.Config{
		Server:    hs.URL(),
		Room:      sandbox.RoomAlias(sandbox.RoomPublic, hs.ServerName()),
		ClientURI: clientURI,
	})
	mux := http.NewServeMux()
	files := mxapp.SiteHandler(dir)
	mux.HandleFunc("/config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", mxapp.CSP)
		_, _ = w.Write(cfg)
	})
	mux.Handle("/", files)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "mxauth demo: site server: %v\n", err)
		}
	}()
	return "http://" + ln.Addr().String() + "/", func() { _ = srv.Close() }, nil
}
