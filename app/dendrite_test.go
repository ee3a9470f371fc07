package mxapp

import (
	"context"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/sandbox/dendrite"
	"github.com/mxauth/mxauth/auth/signin"
)

// Discovery of a real homeserver that does not delegate auth (Dendrite:
// password login only, no auth metadata, no well-known) ends in the
// password-only sentence (Hints password_only), never a button or a password form.
func TestDendriteDiscovery(t *testing.T) {
	hs := dendrite.Start(t)
	c := &auth.Client{}
	info, err := c.Discover(context.Background(), hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	if info.OAuth != nil || info.BaseURL != hs.URL || info.Login == nil {
		t.Fatalf("info %+v", info)
	}
	if !info.Hints.ShowPasswordForm || info.Hints.ShowCreateAccount || info.Hints.Unavailable != signin.UnavailablePasswordOnly {
		t.Errorf("hints %+v", info.Hints)
	}
	v := SignInFor(info)
	if v.ContinueLabel != "" || !strings.Contains(v.Explanation, "signs in with a password only, which this page never asks for") {
		t.Errorf("view %+v", v)
	}
	// Asked by name, the same server: no well-known (404), the fallback base.
	byName, err := c.Check(context.Background(), hs.ServerName)
	if err != nil || byName.BaseURL != hs.URL {
		t.Errorf("by name: %v %+v", err, byName)
	}
}
