package auth

import (
	"context"
	"testing"

	"github.com/hack-pad/hackpadfs/mem"

	"github.com/mxauth/mxauth/auth/sandbox"
)

func newMemFS(t *testing.T) *mem.FS {
	t.Helper()
	fs, err := mem.NewFS()
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// A login through a Client on an FSStore, then a "reload": a new Client on
// the same file system finds the session and refreshes it.
func TestFSStoreSessionSurvivesReload(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	fs := newMemFS(t)
	ctx := context.Background()
	c1 := loginClient(NewFSStore(fs, "state"))
	p, err := c1.StartLogin(ctx, loginOpts(sb))
	if err != nil {
		t.Fatal(err)
	}
	cb := authorizeAt(t, p.URL)
	c2 := loginClient(NewFSStore(fs, "state"))
	s, err := c2.CompleteLogin(ctx, cb)
	if err != nil {
		t.Fatal(err)
	}
	c3 := loginClient(NewFSStore(fs, "state"))
	got, err := c3.Session(ctx)
	if err != nil || got == nil || got.AccessToken != s.AccessToken || got.UserID != s.UserID {
		t.Fatalf("session after reload: %+v, %v", got, err)
	}
	ts := c3.TokenSource(ctx, got)
	ts.MinValidity = 24 * 60 * 60 * 1e9
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := loginClient(NewFSStore(fs, "state")).Session(ctx); again.RefreshToken != tok.RefreshToken {
		t.Error("rotated tokens not on the file system")
	}
}
