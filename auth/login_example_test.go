package auth_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/mxauth/mxauth/auth"
	"github.com/mxauth/mxauth/auth/sandbox"
)

// A native Go program signs in: it listens on a loopback port for the
// redirect (RFC 8252 §7.3, registered as application_type native), prints
// the URL to open, reads the callback and completes the login. The sandbox
// stands in for the homeserver and approves at once; a real program passes
// the user's server name and lets a person open the URL in a browser.
func ExampleClient_StartLogin() {
	hs, err := sandbox.New(sandbox.Config{AutoApprove: "alice"})
	if err != nil {
		log.Fatal(err)
	}
	defer hs.Close()

	// The callback listener: the browser comes back here with ?code=&state=.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	callbacks := make(chan string, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "You can close this window.")
		callbacks <- "http://" + r.Host + r.URL.RequestURI()
	})}
	go srv.Serve(ln)
	defer srv.Close()

	c := &auth.Client{}
	ctx := context.Background()
	p, err := c.StartLogin(ctx, auth.LoginOptions{
		Server:      hs.URL(),
		RedirectURI: "http://" + ln.Addr().String() + "/callback",
		Client:      auth.ClientMetadata{Name: "My CLI", URI: "https://cli.example.org/"},
		// A loopback listener sees only the query, never a fragment.
		ResponseMode: auth.ResponseModeQuery,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Open this URL in your browser to sign in:")
	fmt.Println(p.URL[:len(hs.URL())] == hs.URL()) // a real program prints p.URL

	// Here a person opens p.URL; the example's "browser" follows the redirects.
	if resp, err := http.Get(p.URL); err == nil {
		resp.Body.Close()
	}
	session, err := c.CompleteLogin(ctx, <-callbacks)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as alice:", session.UserID == hs.UserID("alice"))
	fmt.Println("device id length:", len(session.DeviceID))

	// Requests to the homeserver with an always-valid token: TokenSource
	// is an oauth2.TokenSource.
	httpClient := oauth2.NewClient(ctx, c.TokenSource(ctx, session))
	resp, err := httpClient.Get(session.BaseURL + "/_matrix/client/v3/account/whoami")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("whoami:", resp.Status)

	if err := c.Logout(ctx, session); err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed out")
	// Output:
	// Open this URL in your browser to sign in:
	// true
	// signed in as alice: true
	// device id length: 10
	// whoami: 200 OK
	// signed out
}
