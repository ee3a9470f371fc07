package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// Discover a homeserver and decide what its login screen shows. The zero
// Client is the default one. The sandbox stands in for matrix.org here;
// with a real server pass its name, a user id or a URL.
func ExampleClient_Discover() {
	hs, err := sandbox.New(sandbox.Config{PromptCreate: true})
	if err != nil {
		log.Fatal(err)
	}
	defer hs.Close()

	var c auth.Client
	info, err := c.Discover(context.Background(), hs.URL())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("base URL is the sandbox:", info.BaseURL == hs.URL())
	fmt.Println("metadata from:", info.OAuth.Source)
	fmt.Println("issuer is the sandbox's:", info.OAuth.Issuer == hs.Issuer())
	fmt.Println("flows:", info.Login.Flows)
	fmt.Println("create account:", info.Hints.ShowCreateAccount)
	fmt.Println("password form:", info.Hints.ShowPasswordForm)
	// Output:
	// base URL is the sandbox: true
	// metadata from: stable
	// issuer is the sandbox's: true
	// flows: [m.login.sso m.login.token]
	// create account: true
	// password form: false
}

// Errors carry a stable code to branch on and the server's own words.
func ExampleClient_Discover_errors() {
	hs, err := sandbox.New(sandbox.Config{Off: map[string]bool{sandbox.OffStableMetadata: true, sandbox.OffUnstableMetadata: true}})
	if err != nil {
		log.Fatal(err)
	}
	defer hs.Close()
	hs.SetFault(sandbox.Fault{Path: "/_matrix/client/versions", Status: 404})

	_, err = (&auth.Client{}).Discover(context.Background(), hs.URL())
	var e *auth.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code)
	}
	// Output:
	// not_a_homeserver
}
