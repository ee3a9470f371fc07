package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	qr "github.com/piglig/go-qr"

	"github.com/mxauth/mxauth/auth/sandbox"
)

// cliDir holds the command built by buildCLI; TestMain removes it.
var cliDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if cliDir != "" {
		os.RemoveAll(cliDir)
	}
	os.Exit(code)
}

// buildCLI builds this command once per test binary, for tests that run it
// as separate processes.
var buildCLI = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "mxauth-cli-")
	if err != nil {
		return "", err
	}
	cliDir = dir
	bin := filepath.Join(dir, "mxauth")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &exec.ExitError{Stderr: out}
	}
	return bin, nil
})

// cli runs the built command with the config directory cfg.
type cli struct {
	t   *testing.T
	bin string
	cfg string
}

func (c cli) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "MXAUTH_CONFIG_DIR="+c.cfg)
	return cmd
}

func (c cli) run(args ...string) (string, error) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	cmd := c.cmd(args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		return out.String() + errOut.String(), err
	}
	return out.String(), nil
}

// qrImage turns the half-block drawing back into pixels (light blocks
// white), so the decoder can read what a phone camera would.
func qrImage(lines []string) image.Image {
	const px = 4
	w := 0
	for _, l := range lines {
		w = max(w, len([]rune(l)))
	}
	img := image.NewGray(image.Rect(0, 0, w*px, len(lines)*2*px))
	for y, l := range lines {
		for x, r := range []rune(l) {
			top := r == '█' || r == '▀'
			bottom := r == '█' || r == '▄'
			for dy := range px {
				for dx := range px {
					if top {
						img.SetGray(x*px+dx, 2*y*px+dy, color.Gray{255})
					}
					if bottom {
						img.SetGray(x*px+dx, (2*y+1)*px+dy, color.Gray{255})
					}
				}
			}
		}
	}
	return img
}

// The bot of the README: `mxauth login` against the sandbox (approved
// through its control plane), then whoami, token, two concurrent token
// runs after the access token expired (one refresh between them), logout.
func TestSessionCommands(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file locks across processes need flock(2)")
	}
	bin, err := buildCLI()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	sb, err := sandbox.New(sandbox.Config{Control: true, AccessTokenTTL: 4 * time.Second, DeviceCodeInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	c := cli{t: t, bin: bin, cfg: filepath.Join(t.TempDir(), "config")}

	if out, err := c.run("token"); err == nil || !strings.Contains(out, "not signed in") {
		t.Fatalf("token before login: %v %q", err, out)
	}

	// Login: read the code and the QR code, approve, wait for the end.
	login := c.cmd("login", sb.URL())
	stdout, err := login.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var loginErr bytes.Buffer
	login.Stderr = &loginErr
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "Waiting for approval") {
			break
		}
	}
	text := strings.Join(lines, "\n")
	m := regexp.MustCompile(`enter the code\n\n    ([0-9A-Z]{6})\n`).FindStringSubmatch(text)
	complete := regexp.MustCompile(`which opens (\S+):`).FindStringSubmatch(text)
	if m == nil || complete == nil {
		t.Fatalf("login printed no code or QR link:\n%s\n%s", text, loginErr.String())
	}
	code := m[1]
	if complete[1] != sb.URL()+"/link?code="+code {
		t.Errorf("QR link %q", complete[1])
	}
	var qrLines []string
	for _, l := range lines {
		if strings.ContainsAny(l, "█▀▄") {
			qrLines = append(qrLines, l)
		}
	}
	if got, err := qr.Decode(qrImage(qrLines)); err != nil || got != complete[1] {
		t.Errorf("the drawn QR code reads %q (%v), want %q", got, err, complete[1])
	}
	resp, err := http.Post(sb.URL()+"/_sandbox/device", "application/json",
		strings.NewReader(`{"userCode":"`+code+`","user":"alice","allow":true}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("approve through the control plane: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	rest, _ := readAll(sc)
	if err := login.Wait(); err != nil {
		t.Fatalf("login: %v\n%s\n%s", err, rest, loginErr.String())
	}
	if !strings.Contains(rest, "Signed in as "+sb.UserID("alice")) {
		t.Errorf("login ended with %q", rest)
	}
	loggedIn := time.Now()

	// Everything on disk is private to the user.
	err = filepath.WalkDir(c.cfg, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if out, err := c.run("login", sb.URL()); err == nil || !strings.Contains(out, "already signed in as "+sb.UserID("alice")) {
		t.Errorf("second login: %v %q", err, out)
	}
	out, err := c.run("whoami")
	if err != nil || !strings.HasPrefix(out, sb.UserID("alice")+"\t") {
		t.Fatalf("whoami: %v %q", err, out)
	}
	first, err := c.run("token")
	if err != nil || strings.TrimSpace(first) == "" {
		t.Fatalf("token: %v %q", err, first)
	}

	// After expiry two runs at once: one refresh, the same new token.
	time.Sleep(time.Until(loggedIn.Add(4200 * time.Millisecond)))
	// A slow token endpoint keeps the first refresh in flight while the
	// second run asks, so without the file lock both would refresh.
	sb.SetFault(sandbox.Fault{Path: "/oauth2/token", Latency: time.Second})
	mark := time.Now()
	outs := make([]string, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() { outs[i], errs[i] = c.run("token") })
	}
	wg.Wait()
	for i := range outs {
		if errs[i] != nil {
			t.Fatalf("token run %d: %v %q", i, errs[i], outs[i])
		}
	}
	if outs[0] != outs[1] || outs[0] == first {
		t.Errorf("tokens %q and %q (before: %q): want one new token for both", outs[0], outs[1], first)
	}
	refreshes := 0
	for _, r := range sb.Log() {
		if r.Path == "/oauth2/token" && !r.Time.Before(mark) {
			refreshes++
		}
	}
	if refreshes != 1 {
		t.Errorf("%d refreshes for two concurrent runs, want 1", refreshes)
	}
	sb.ClearFaults()
	req, _ := http.NewRequest("GET", sb.URL()+"/_matrix/client/v3/account/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(outs[0]))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("the new token does not work: %v %v", err, resp.Status)
	} else {
		var who map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&who)
		resp.Body.Close()
		if who["user_id"] != sb.UserID("alice") {
			t.Errorf("whoami %v", who)
		}
	}

	if out, err := c.run("logout"); err != nil {
		t.Fatalf("logout: %v %q", err, out)
	}
	for _, s := range sb.Sessions("alice") {
		if s.Active {
			t.Errorf("session of device %s still active after logout", s.DeviceID)
		}
	}
	if out, err := c.run("token"); err == nil || !strings.Contains(out, "not signed in") {
		t.Errorf("token after logout: %v %q", err, out)
	}
}

// `mxauth login @alice:…` approved as bob keeps no session: it is revoked.
func TestLoginAsNamedUser(t *testing.T) {
	bin, err := buildCLI()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	sb, err := sandbox.New(sandbox.Config{DeviceCodeInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	c := cli{t: t, bin: bin, cfg: filepath.Join(t.TempDir(), "config")}
	login := c.cmd("login", "--no-qr", sb.UserID("alice"))
	stdout, err := login.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	login.Stderr = &errOut
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var text strings.Builder
	for sc.Scan() {
		text.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "Waiting for approval") {
			break
		}
	}
	m := regexp.MustCompile(`enter the code\n\n    ([0-9A-Z]{6})\n`).FindStringSubmatch(text.String())
	if m == nil {
		t.Fatalf("no code in %q (%s)", text.String(), errOut.String())
	}
	if strings.Contains(text.String(), "█") {
		t.Error("--no-qr drew a QR code")
	}
	if err := sb.DecideDevice(m[1], "bob", true); err != nil {
		t.Fatal(err)
	}
	_, _ = readAll(sc)
	if err := login.Wait(); err == nil || !strings.Contains(errOut.String(), "approved as "+sb.UserID("bob")+", not "+sb.UserID("alice")) {
		t.Fatalf("login approved as bob: %v %q", err, errOut.String())
	}
	for _, s := range sb.Sessions("bob") {
		if s.Active {
			t.Error("bob's session is still active")
		}
	}
	if out, err := c.run("token"); err == nil || !strings.Contains(out, "not signed in") {
		t.Errorf("token: %v %q", err, out)
	}
}

func readAll(sc *bufio.Scanner) (string, error) {
	var b strings.Builder
	for sc.Scan() {
		b.WriteString(sc.Text())
		b.WriteString("\n")
	}
	return b.String(), sc.Err()
}

func TestDrawQRDecodes(t *testing.T) {
	for _, text := range []string{"http://127.0.0.1:8008/link?code=7XKCQ2", "https://account.matrix.org/link?code=ABCDEF"} {
		var b bytes.Buffer
		if err := drawQR(&b, text); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		if got, err := qr.Decode(qrImage(lines)); err != nil || got != text {
			t.Errorf("drawn %q reads back as %q (%v)", text, got, err)
		}
	}
}
