package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	osfs "github.com/hack-pad/hackpadfs/os"
	"golang.org/x/oauth2"

	"github.com/mxauth/mxauth/auth"
)

// The session commands sign this machine in with the device authorization
// grant (RFC 8628, spec v1.18) and keep the session for scripts:
//
//	mxauth login <server or user id>   shows a code, a URL and a QR code; waits
//	mxauth token                       prints a valid access token
//	mxauth whoami                      asks the server who the token belongs to
//	mxauth logout                      revokes the session and forgets it
//
// The session lives in os.UserConfigDir()/mxauth (MXAUTH_CONFIG_DIR
// overrides it): a directory 0700 of files 0600, written through the
// hackpadfs os FS as auth.FSStore does everywhere. Refreshes take a file
// lock in its locks/ directory, so concurrent runs rotate the tokens once.

func init() {
	commands["login"] = command{summary: "sign this machine in with a code approved on another device", run: runLogin}
	commands["token"] = command{summary: "print a valid access token of the stored session (refreshing it)", run: runToken}
	commands["whoami"] = command{summary: "print the user and device of the stored session, asked of the server", run: runWhoami}
	commands["logout"] = command{summary: "revoke the stored session and forget it", run: runLogout}
}

// defaultClientURI is the client_uri a CLI registration sends: the
// project's home, a public https URL as MAS requires.
const defaultClientURI = "https://github.com/mxauth/mxauth"

// configDir is where the CLI keeps its state.
func configDir() (string, error) {
	if d := os.Getenv("MXAUTH_CONFIG_DIR"); d != "" {
		return filepath.Abs(d)
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory (set MXAUTH_CONFIG_DIR): %w", err)
	}
	return filepath.Join(base, "mxauth"), nil
}

// sessionClient is an auth.Client on the config directory: an FSStore on
// the os FS rooted there, and a FileLocker beside it.
func sessionClient(timeout time.Duration) (*auth.Client, string, error) {
	dir, err := configDir()
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	fsys, err := osSubFS(dir)
	if err != nil {
		return nil, "", err
	}
	return &auth.Client{
		Store:   auth.NewFSStore(fsys, "store"),
		Locker:  &auth.FileLocker{Dir: filepath.Join(dir, "locks")},
		Timeout: timeout,
	}, dir, nil
}

// osSubFS is the hackpadfs os FS rooted at the absolute directory dir
// (hackpadfs paths are relative, without a leading slash or a volume).
func osSubFS(dir string) (*osfs.FS, error) {
	fsys := osfs.NewFS()
	if vol := filepath.VolumeName(dir); vol != "" {
		v, err := fsys.SubVolume(vol)
		if err != nil {
			return nil, err
		}
		fsys = v.(*osfs.FS)
		dir = dir[len(vol):]
	}
	sub, err := fsys.Sub(strings.TrimPrefix(filepath.ToSlash(dir), "/"))
	if err != nil {
		return nil, err
	}
	return sub.(*osfs.FS), nil
}

func runLogin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 15*time.Second, "timeout per request")
	name := fs.String("client-name", "mxauth CLI", "client_name shown on the approval page")
	uri := fs.String("client-uri", defaultClientURI, "client_uri of the registration (public https)")
	clientID := fs.String("client-id", "", "a pre-registered client id allowed the device grant")
	noQR := fs.Bool("no-qr", false, "do not draw the QR code")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: mxauth login [flags] <server name | @user:server | URL>")
	}
	c, dir, err := sessionClient(*timeout)
	if err != nil {
		return err
	}
	// One session per config directory: a second login would leave the
	// first one's device signed in on the server with nobody to revoke it.
	if cur, err := c.Session(ctx); err != nil {
		return err
	} else if cur != nil {
		return fmt.Errorf("already signed in as %s (device %s): run `mxauth logout` first", cur.UserID, cur.DeviceID)
	}
	d, err := c.StartDeviceLogin(ctx, auth.DeviceLoginOptions{
		Server:   fs.Arg(0),
		Client:   auth.ClientMetadata{Name: *name, URI: *uri},
		ClientID: *clientID,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "To sign in to %s, open\n\n    %s\n\nand enter the code\n\n    %s\n\n", d.ServerName, d.VerificationURI, d.UserCode)
	if d.VerificationURIComplete != "" && !*noQR {
		fmt.Fprintf(stdout, "or scan this code, which opens %s:\n\n", d.VerificationURIComplete)
		if err := drawQR(stdout, d.VerificationURIComplete); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "Waiting for approval (the code expires at %s)…\n", d.ExpiresAt.Local().Format("15:04:05"))
	s, err := c.WaitDeviceLogin(ctx, d)
	if err != nil {
		return err
	}
	if want := fs.Arg(0); strings.HasPrefix(want, "@") && s.UserID != want {
		// Someone approved as another account than the one named: do not
		// keep a session the caller did not ask for.
		if err := c.Logout(ctx, s); err != nil {
			return fmt.Errorf("the code was approved as %s, not %s, and signing that session out failed: %w", s.UserID, want, err)
		}
		return fmt.Errorf("the code was approved as %s, not %s; that session is signed out again", s.UserID, want)
	}
	fmt.Fprintf(stdout, "Signed in as %s (device %s). The session is stored in %s.\n", s.UserID, s.DeviceID, dir)
	return nil
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 15*time.Second, "timeout per request")
	// Zero keeps the library's default, which adapts to short-lived
	// tokens (30 s, or half the granted lifetime when that is shorter); a
	// chosen validity longer than the server grants refreshes every run.
	minValidity := fs.Duration("min-validity", 0, "refresh when the token expires sooner than this (0: 30 s, or half the token's lifetime if shorter)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("usage: mxauth token [--min-validity 30s]")
	}
	c, _, err := sessionClient(*timeout)
	if err != nil {
		return err
	}
	if err := requireSession(ctx, c); err != nil {
		return err
	}
	tok, err := c.AccessToken(ctx, *minValidity)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

func runWhoami(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("whoami", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 15*time.Second, "timeout per request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, _, err := sessionClient(*timeout)
	if err != nil {
		return err
	}
	if err := requireSession(ctx, c); err != nil {
		return err
	}
	s, err := c.Session(ctx)
	if err != nil {
		return err
	}
	// The token source signs the request and refreshes first when needed.
	hc := oauth2.NewClient(ctx, c.TokenSource(ctx, s))
	hc.Timeout = *timeout
	resp, err := hc.Get(s.BaseURL + "/_matrix/client/v3/account/whoami")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var who struct {
		UserID   string `json:"user_id"`
		DeviceID string `json:"device_id"`
		Errcode  string `json:"errcode"`
		Error    string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&who); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("whoami: HTTP %d %s %s", resp.StatusCode, who.Errcode, who.Error)
	}
	_, err = fmt.Fprintf(stdout, "%s\t%s\n", who.UserID, who.DeviceID)
	return err
}

func runLogout(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("logout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 15*time.Second, "timeout per request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, _, err := sessionClient(*timeout)
	if err != nil {
		return err
	}
	if err := requireSession(ctx, c); err != nil {
		return err
	}
	if err := c.Logout(ctx, nil); err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, "Signed out: the session is revoked and forgotten.")
	return err
}

// requireSession explains what to do when nobody is signed in.
func requireSession(ctx context.Context, c *auth.Client) error {
	s, err := c.Session(ctx)
	if err != nil {
		return err
	}
	if s == nil {
		return errors.New("not signed in: run `mxauth login <server>` first")
	}
	return nil
}
