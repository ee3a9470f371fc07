package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"time"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/room"
	"github.com/mxauth/mxauth/auth/room/httpfetch"
)

func init() {
	commands["room"] = command{
		summary: "print the summary of a room (id, alias, matrix.to link or matrix: URI) as JSON",
		run:     runRoom,
	}
}

func runRoom(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("room", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "", "homeserver to ask: base URL or server name (default: the alias's server, else the first via)")
	timeout := fs.Duration("timeout", room.DefaultTimeout, "timeout per request")
	ref, err := parseWithRef(fs, args, "usage: mxauth room <room reference> [--server URL]")
	if err != nil {
		return err
	}
	s, err := fetchSummary(ctx, ref, *server, *timeout)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// parseWithRef parses flags that may come before or after the one
// positional argument, the room reference, and returns it.
func parseWithRef(fs *flag.FlagSet, args []string, usage string) (string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		return "", errors.New(usage)
	}
	return pos[0], nil
}

// fetchSummary parses ref and asks for its summary over net/http. A server
// name (not a URL) is resolved by the full client discovery of package auth,
// so the CLI and the library never disagree on where a server lives.
func fetchSummary(ctx context.Context, refText, server string, timeout time.Duration) (*room.Summary, error) {
	ref, err := room.ParseRoomRef(refText)
	if err != nil {
		return nil, err
	}
	disco := &auth.Client{Timeout: timeout}
	c := &room.Client{
		Fetch:   httpfetch.New(nil),
		Timeout: timeout,
		Resolve: func(ctx context.Context, name string) (string, error) {
			info, err := disco.Discover(ctx, name)
			if err != nil {
				return "", err
			}
			return info.BaseURL, nil
		},
	}
	return c.Summary(ctx, ref, room.Options{Server: server})
}
