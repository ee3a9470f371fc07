package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mxauth/mxauth/auth/sandbox"
)

func init() {
	commands["sandbox"] = command{
		summary: "run the loopback homeserver + MAS-like OAuth server for offline development",
		run:     runSandbox,
	}
}

// runSandbox starts auth/sandbox and serves until ctx ends (Ctrl-C).
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8008", "listen address (loopback)")
	serverName := fs.String("server-name", "", "Matrix server name (default: the listen host:port)")
	users := fs.String("users", "alice,bob", "comma-separated localparts offered on the sign-in page")
	passwordLogin := fs.Bool("password-login", false, "also list m.login.password in GET /login")
	promptCreate := fs.Bool("prompt-create", false, `advertise prompt_values_supported "create" (account creation)`)
	autoApprove := fs.String("auto-approve", "", "approve every authorization at once as this user, with no page")
	ttl := fs.Duration("token-ttl", 5*time.Minute, "access token lifetime")
	unknownStatus := fs.Int("unknown-room-status", 404, "status for unknown or hidden rooms: 404 (Synapse) or 403 (continuwuity)")
	off := fs.String("off", "", "comma-separated paths to switch off: "+strings.Join(sandbox.OffKeys, ", "))
	publicRooms := fs.Bool("public-rooms-without-auth", false, "let GET /publicRooms answer without a token")
	dendriteLike := fs.Bool("dendrite-like", false, "answer rooms as Dendrite does: GET /publicRooms without a token, /hierarchy 403 to non-members of rooms not world-readable")
	legacy := fs.Bool("legacy-sso", false, "be a homeserver without OAuth 2.0 that signs in through SSO (m.login.sso, m.login.token, /refresh, /logout)")
	idps := fs.String("idps", "", `with --legacy-sso, identity providers as "id=Name,id=Name" (icons mxc:// after a second "=")`)
	noRefresh := fs.Bool("legacy-no-refresh", false, "with --legacy-sso, grant no refresh token and no expiry")
	verbose := fs.Bool("v", false, "log every request")
	control := fs.Bool("control", false, "serve a control plane under /_sandbox/ (request log, faults, paths on/off, device code answers) for browser tests and benchmarks")
	deviceTTL := fs.Duration("device-code-ttl", 20*time.Minute, "device code lifetime (MAS: 20 min)")
	deviceInterval := fs.Duration("device-code-interval", 5*time.Second, "polling interval device codes ask for, whole seconds (MAS: 5 s)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := sandbox.Config{
		Addr:                   *addr,
		ServerName:             *serverName,
		PasswordLogin:          *passwordLogin,
		PromptCreate:           *promptCreate,
		AutoApprove:            *autoApprove,
		AccessTokenTTL:         *ttl,
		UnknownRoomStatus:      *unknownStatus,
		PublicRoomsWithoutAuth: *publicRooms || *dendriteLike,
		HierarchyMembersOnly:   *dendriteLike,
		Off:                    map[string]bool{},
		Control:                *control,
		DeviceCodeTTL:          *deviceTTL,
		DeviceCodeInterval:     *deviceInterval,
		Legacy:                 *legacy,
		LegacyNoRefresh:        *noRefresh,
	}
	for _, p := range strings.Split(*idps, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		parts := strings.SplitN(p, "=", 3)
		idp := sandbox.IdentityProvider{ID: parts[0], Name: parts[0]}
		if len(parts) > 1 {
			idp.Name = parts[1]
		}
		if len(parts) > 2 {
			idp.Icon = parts[2]
		}
		cfg.IdentityProviders = append(cfg.IdentityProviders, idp)
	}
	for _, u := range strings.Split(*users, ",") {
		if u = strings.TrimSpace(u); u != "" {
			cfg.Users = append(cfg.Users, u)
		}
	}
	for _, k := range strings.Split(*off, ",") {
		if k = strings.TrimSpace(k); k != "" {
			cfg.Off[k] = true
		}
	}
	if *verbose {
		cfg.Logf = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	}
	s, err := sandbox.New(cfg)
	if err != nil {
		return err
	}
	defer s.Close()

	fmt.Fprintf(stdout, "mxauth sandbox: a loopback Matrix homeserver with a MAS-like OAuth 2.0 server\n\n")
	fmt.Fprintf(stdout, "  homeserver   %s\n", s.URL())
	fmt.Fprintf(stdout, "  server name  %s\n", s.ServerName())
	fmt.Fprintf(stdout, "  issuer       %s\n", s.Issuer())
	fmt.Fprintf(stdout, "  users        %s\n", strings.Join(s.Users(), ", "))
	if cfg.AutoApprove != "" {
		fmt.Fprintf(stdout, "  auto-approve as %s\n", s.UserID(cfg.AutoApprove))
	}
	fmt.Fprintf(stdout, "\nrooms:\n")
	for _, r := range s.Rooms() {
		name := r.Name
		if r.Key == sandbox.RoomHostile {
			name = "(HTML and script in name and topic)"
		}
		fmt.Fprintf(stdout, "  %-8s %-32s %s  %s\n", r.Key, r.Alias, r.ID, name)
	}
	fmt.Fprintf(stdout, "\npoint a client at it:\n")
	fmt.Fprintf(stdout, "  server name or URL:  %s\n", s.URL())
	fmt.Fprintf(stdout, "  go run ./cmd/mxauth discover %s\n", s.URL())
	fmt.Fprintf(stdout, "  curl %s/_matrix/client/v1/auth_metadata\n", s.URL())
	fmt.Fprintf(stdout, "  go run ./cmd/mxauth login %s   (approve the code at %s/link)\n", s.URL(), s.URL())
	fmt.Fprintf(stdout, "\nCtrl-C stops it.\n")

	<-ctx.Done()
	return nil
}
