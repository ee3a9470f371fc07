package main

import (
	"context"
	"flag"
	"io"

	"github.com/mxauth/mxauth/auth/room"
)

func init() {
	commands["badge"] = command{
		summary: "write a room's member badge as SVG to stdout (for READMEs)",
		run:     runBadge,
	}
}

// runBadge writes a static badge. GitHub's image proxy runs no script and
// gives up on slow servers, so a file made at CI time beats a live badge.
func runBadge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("badge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "homeserver to ask: base URL or server name (default: the alias's server, else the first via)")
	label := fs.String("label", "", "left-hand text (default "+room.DefaultBadgeLabel+")")
	alias := fs.Bool("alias", false, "label the badge with the room's alias")
	style := fs.String("style", "flat", "flat (light) or dark")
	timeout := fs.Duration("timeout", room.DefaultTimeout, "timeout per request")
	ref, err := parseWithRef(fs, args, "usage: mxauth badge <room reference> [--server URL] [--label X] [--alias] [--style dark] > badge.svg")
	if err != nil {
		return err
	}
	s, err := fetchSummary(ctx, ref, *server, *timeout)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, room.Badge(s, room.BadgeOptions{Label: *label, UseAlias: *alias, Style: *style})+"\n")
	return err
}
