// Package dendrite runs a real Matrix homeserver that nobody here wrote,
// Dendrite, on loopback for tests: discovery of a server without OAuth,
// room previews through its directory and hierarchy, a signed-in preview.
//
// The binaries come from the Go module proxy at Version (Apache-2.0 at that
// version; later ones moved to the AGPL) and are built once per machine by
// .ci/dendrite into BinDir. Without them a test skips, unless
// MXAUTH_REQUIRE_DENDRITE is set (CI sets it), then it fails.
package dendrite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Version is the Dendrite release the tests run against.
const Version = "v0.13.8"

// BinDir is where the binaries are: $MXAUTH_DENDRITE_BIN, else
// $XDG_CACHE_HOME (or ~/.cache)/mxauth/dendrite/<Version>.
func BinDir() string {
	if d := os.Getenv("MXAUTH_DENDRITE_BIN"); d != "" {
		return d
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "mxauth", "dendrite", Version)
}

// Server is a running Dendrite.
type Server struct {
	// URL is the client-server API base, http://127.0.0.1:<port>.
	URL string
	// ServerName is its Matrix server name, 127.0.0.1:<port>.
	ServerName string

	dir, config string
}

// Start runs a Dendrite for t and stops it when t ends. Federation is off,
// registration closed (accounts come from create-account), rate limits off.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := BinDir()
	for _, cmd := range []string{"dendrite", "generate-keys", "create-account"} {
		if _, err := os.Stat(filepath.Join(bin, cmd)); err != nil {
			if os.Getenv("MXAUTH_REQUIRE_DENDRITE") != "" {
				t.Fatalf("dendrite %s is not built in %s (run .ci/dendrite): %v", Version, bin, err)
			}
			t.Skipf("dendrite %s is not built in %s (run .ci/dendrite)", Version, bin)
		}
	}
	dir := t.TempDir()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: "http://127.0.0.1:" + port, ServerName: "127.0.0.1:" + port, dir: dir, config: filepath.Join(dir, "dendrite.yaml")}
	run(t, dir, filepath.Join(bin, "generate-keys"), "--private-key", "matrix_key.pem")
	if err := os.WriteFile(s.config, []byte(config(s.ServerName)), 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "dendrite.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "dendrite"), "-config", s.config, "-http-bind-address", "127.0.0.1:"+port)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		logf.Close()
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/_matrix/client/versions")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "dendrite.log"))
			t.Fatalf("dendrite exited at start:\n%s", tail(log))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dendrite.log"))
			t.Fatalf("dendrite did not answer /versions within 60 s:\n%s", tail(log))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s
}

// config is a Dendrite v0.13 configuration for tests: one SQLite file per
// component (a shared file panics), in-memory JetStream, no federation,
// and the keys v0.13.8 refuses to start without (media_api.base_path,
// relay_api, mscs).
func config(serverName string) string {
	db := func(name string) string {
		return "\n  database:\n    connection_string: file:" + name + ".db\n"
	}
	return `version: 2
global:
  server_name: ` + serverName + `
  private_key: matrix_key.pem
  key_validity_period: 168h0m0s
  disable_federation: true
  trusted_third_party_id_servers: []
  jetstream:
    in_memory: true
    storage_path: ./
    topic_prefix: Dendrite
  metrics:
    enabled: false
  dns_cache:
    enabled: false
  report_stats:
    enabled: false
  presence:
    enable_inbound: false
    enable_outbound: false
app_service_api:
  config_files: []
client_api:
  registration_disabled: true
  registration_shared_secret: "mxauth-test-secret"
  guests_disabled: true
  rate_limiting:
    enabled: false
federation_api:` + db("federationapi") + `key_server:` + db("keyserver") + `media_api:
  base_path: ./media_store` + db("mediaapi") + `mscs:
  mscs: []` + db("mscs") + `relay_api:` + db("relayapi") + `room_server:` + db("roomserver") + `sync_api:
  search:
    enabled: false` + db("syncapi") + `user_api:
  bcrypt_cost: 4
  account_database:
    connection_string: file:userapi_accounts.db
logging:
  - type: std
    level: warn
`
}

// CreateAccount makes a user with create-account (the shared secret) and
// returns an access token from a password login.
func (s *Server) CreateAccount(t testing.TB, user, password string) string {
	t.Helper()
	run(t, s.dir, filepath.Join(BinDir(), "create-account"), "-config", s.config, "-url", s.URL, "-username", user, "-password", password)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	s.Do(t, "", "POST", "/_matrix/client/v3/login", map[string]any{
		"type": "m.login.password", "identifier": map[string]string{"type": "m.id.user", "user": user}, "password": password,
	}, &out)
	if out.AccessToken == "" {
		t.Fatalf("login of %s gave no token", user)
	}
	return out.AccessToken
}

// Do sends one client-server request with token (if any) and decodes the
// 2xx answer into out (if any); any other status fails t.
func (s *Server) Do(t testing.TB, token, method, path string, body, out any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// CreateRoom creates a room (POST /createRoom with body) and returns its id.
func (s *Server) CreateRoom(t testing.TB, token string, body map[string]any) string {
	t.Helper()
	var out struct {
		RoomID string `json:"room_id"`
	}
	s.Do(t, token, "POST", "/_matrix/client/v3/createRoom", body, &out)
	return out.RoomID
}

// AddAlias points one more alias at roomID (PUT /directory/room/{alias}).
func (s *Server) AddAlias(t testing.TB, token, alias, roomID string) {
	t.Helper()
	s.Do(t, token, "PUT", "/_matrix/client/v3/directory/room/"+url.PathEscape(alias), map[string]string{"room_id": roomID}, nil)
}

func run(t testing.TB, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, tail(out))
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port), nil
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
