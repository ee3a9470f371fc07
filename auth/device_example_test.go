package auth_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	osfs "github.com/hack-pad/hackpadfs/os"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// A bot with no browser signs in with the device authorization grant
// (RFC 8628, spec v1.18): it shows a code and a URL, a person approves on
// another device, and the session is kept on disk for the next run. The
// sandbox stands in for the homeserver; here the "person" approves through
// its Go API, where a real one opens d.VerificationURI.
func ExampleClient_StartDeviceLogin() {
	hs, err := sandbox.New(sandbox.Config{DeviceCodeInterval: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer hs.Close()

	// The session survives restarts in a directory of 0600 files; a file
	// lock keeps concurrent runs from refreshing twice.
	dir, _ := os.MkdirTemp("", "bot")
	defer os.RemoveAll(dir)
	root, err := osfs.NewFS().Sub(dir[1:]) // hackpadfs paths have no leading "/"
	if err != nil {
		log.Fatal(err)
	}
	c := &auth.Client{
		Store:  auth.NewFSStore(root, "store"),
		Locker: &auth.FileLocker{Dir: filepath.Join(dir, "locks")},
	}
	ctx := context.Background()
	d, err := c.StartDeviceLogin(ctx, auth.DeviceLoginOptions{
		Server: hs.URL(),
		Client: auth.ClientMetadata{Name: "My bot", URI: "https://bot.example.org/"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("open", d.VerificationURI[len(hs.URL()):], "and enter a code of", len(d.UserCode), "characters")

	go hs.DecideDevice(d.UserCode, "alice", true) // the person, on their phone
	session, err := c.WaitDeviceLogin(ctx, d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as alice:", session.UserID == hs.UserID("alice"))

	// The next run finds the session and gets a valid token.
	token, err := c.AccessToken(ctx, 0)
	fmt.Println("token:", token != "", err)
	// Output:
	// open /link and enter a code of 6 characters
	// signed in as alice: true
	// token: true <nil>
}
