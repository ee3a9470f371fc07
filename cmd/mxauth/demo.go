package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/sandbox"
)

func init() {
	commands["demo"] = command{
		summary: "start the sandbox on loopback, discover it and show where to look",
		run:     runDemo,
	}
}

// runDemo is `make demo` until the demo site lands: the sandbox plus a live
// discovery of it, so a fresh clone shows mxauth working with no network.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8008", "listen address (loopback); a busy port falls back to a free one")
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
