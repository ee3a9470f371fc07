package auth

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mxauth/mxauth/auth/autherr"
	"github.com/mxauth/mxauth/auth/sandbox"
	"github.com/mxauth/mxauth/auth/signin"
)

// The application's state goes through the redirect in the Store, never in
// the URL, and comes back compacted; bad or oversized state is refused
// before anything is registered or stored.
func TestAppStateThroughRedirect(t *testing.T) {
	sb := startSandbox(t, sandbox.Config{})
	ctx := context.Background()
	big := `"` + strings.Repeat("x", signin.MaxAppState) + `"`
	for _, tc := range []struct {
		name, state, want string
		code              autherr.Code
	}{
		{"none", "", "", ""},
		{"null is none", "null", "", ""},
		{"object", ` {"returnTo": "/rooms/!a:example.org", "draft": [1, 2]} `, `{"returnTo":"/rooms/!a:example.org","draft":[1,2]}`, ""},
		{"string", `"/settings"`, `"/settings"`, ""},
		{"not JSON", `{returnTo: 1}`, "", autherr.InvalidInput},
		{"too big", big, "", autherr.InvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := loginClient(NewMemoryStore())
			opts := loginOpts(sb)
			if tc.state != "" {
				opts.State = json.RawMessage(tc.state)
			}
			p, err := c.StartLogin(ctx, opts)
			if tc.code != "" {
				if autherr.CodeOf(err) != tc.code {
					t.Fatalf("StartLogin: %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(p.URL, "returnTo") || strings.Contains(p.URL, "settings") {
				t.Errorf("the app state travels in the authorization URL: %s", p.URL)
			}
			s, state, err := c.CompleteLoginWithState(ctx, authorizeAt(t, p.URL))
			if err != nil || s == nil {
				t.Fatalf("CompleteLoginWithState: %v", err)
			}
			if string(state) != tc.want {
				t.Errorf("state = %s, want %s", state, tc.want)
			}
		})
	}
}
