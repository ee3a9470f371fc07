package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"time"

	"github.com/mxauth/mxauth/auth"
)

func init() {
	commands["discover"] = command{
		summary: "print what discovery finds for a server name, user id or URL (JSON)",
		run:     runDiscover,
	}
}

func runDiscover(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("discover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 15*time.Second, "timeout per request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: mxauth discover <server name | @user:server | URL>")
	}
	c := &auth.Client{Timeout: *timeout}
	info, err := c.Discover(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(info)
}
