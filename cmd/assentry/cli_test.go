package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	badgerstore "github.com/assentry/assentry/store/badger"
)

// The CLI tests run the real binary, built once, against a temp data directory.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "assentry-cli-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "assentry")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the binary: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// childEnv is the binary's environment: a race-enabled binary otherwise sleeps a second at every exit.
var childEnv = append(os.Environ(), "GORACE=atexit_sleep_ms=0")

type cliEnv struct {
	t       *testing.T
	dir     string
	config  string
	dataDir string
	addr    string   // listen address for serve
	env     []string // added to childEnv for the server (the secrets a configuration takes from the environment)
	wd      string   // the commands' working directory; "": the test's
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	// A deep directory: the admin socket must still work (unix socket paths are limited to 108 bytes).
	dir := filepath.Join(t.TempDir(), strings.Repeat("deep-directory-name/", 6))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	e := &cliEnv{t: t, dir: dir, config: filepath.Join(dir, "assentry.yaml"), dataDir: filepath.Join(dir, "data"), addr: addr}
	cfg := fmt.Sprintf(`issuer: http://%s
listen: %s
data_dir: %s
site_name: CLI Test
roles:
  names: [user, admin]
  default: user
argon2:
  memory: 64
  iterations: 1
  parallelism: 1
`, addr, addr, e.dataDir)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// The data directory holds a store, as an installation's does once serve has run: the management commands
	// never create a data directory or a store (TestDataDirNotCreated, TestEmptyDataDir).
	makeStore(t, e.dataDir)
	return e
}

// makeStore creates the directory dir with an empty store in it, as a first start of serve leaves it.
func makeStore(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := badgerstore.Open(context.Background(), badgerstore.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// appendConfig adds YAML to the end of the configuration file.
func (e *cliEnv) appendConfig(yaml string) {
	e.t.Helper()
	f, err := os.OpenFile(e.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(yaml); err != nil {
		e.t.Fatal(err)
	}
}

// addServiceClient adds a confidential client with the client_credentials grant and the given id, and returns its
// client_id and secret.
func (e *cliEnv) addServiceClient(id string) (string, string) {
	e.t.Helper()
	var creds map[string]string
	out := e.ok("", "client", "add", "--name", id, "--client-id", id, "--grant-type", "client_credentials", "--json")
	if err := json.Unmarshal([]byte(out), &creds); err != nil || creds["client_secret"] == "" {
		e.t.Fatalf("client add: %q %v", out, err)
	}
	return creds["client_id"], creds["client_secret"]
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type result struct {
	stdout, stderr string
	code           int
}

// run executes the binary with --config and the given stdin.
func (e *cliEnv) run(stdin string, args ...string) result {
	e.t.Helper()
	cmd := exec.Command(binary, append([]string{"--config", e.config}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env, cmd.Dir = childEnv, e.wd
	return runCmd(e.t, cmd)
}

// runCmd runs a prepared command of the binary and returns its output and exit status; a command that cannot be
// started fails the test.
func runCmd(t testing.TB, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func (e *cliEnv) ok(stdin string, args ...string) string {
	e.t.Helper()
	r := e.run(stdin, args...)
	if r.code != 0 {
		e.t.Fatalf("assentry %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// manageUsersAndClients is the same script with and without a running server.
func manageUsersAndClients(t *testing.T, e *cliEnv) (secret, clientID string) {
	e.ok("hunter2 hunter2 hunter2\n", "user", "add", "Alice", "--password-stdin", "--role", "admin", "--name", "Alice A.", "--email", "alice@example.com")
	if r := e.run("correct horse battery\n", "user", "add", "alice", "--password-stdin"); r.code != 4 || !strings.Contains(r.stderr, "taken") {
		t.Fatalf("duplicate user: exit %d, %s", r.code, r.stderr)
	}
	if r := e.run("correct horse battery\n", "user", "add", "bob", "--password-stdin", "--role", "root"); r.code != 2 || !strings.Contains(r.stderr, "unknown role") {
		t.Fatalf("unknown role: exit %d, %s", r.code, r.stderr)
	}
	if r := e.run("", "user", "add", "bob"); r.code != 2 || !strings.Contains(r.stderr, "--password-stdin") {
		t.Fatalf("no terminal and no --password-stdin: exit %d, %s", r.code, r.stderr)
	}
	e.ok("correct horse battery\n", "user", "add", "bob", "--password-stdin")
	e.ok("", "user", "roles", "bob", "user", "admin")
	e.ok("", "user", "groups", "bob", "staff", "ops")
	e.ok("", "user", "disable", "bob")
	var users []struct {
		Username string   `json:"username"`
		ID       string   `json:"id"`
		Roles    []string `json:"roles"`
		Groups   []string `json:"groups"`
		Disabled bool     `json:"disabled"`
	}
	if err := json.Unmarshal([]byte(e.ok("", "user", "list", "--json")), &users); err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].Username != "alice" || users[1].Username != "bob" || !users[1].Disabled ||
		strings.Join(users[1].Roles, ",") != "user,admin" || strings.Join(users[1].Groups, ",") != "staff,ops" {
		t.Fatalf("user list: %+v", users)
	}
	if out := e.ok("", "user", "list"); !strings.Contains(out, "USERNAME") || !strings.Contains(out, "disabled") {
		t.Fatalf("user list table:\n%s", out)
	}
	e.ok("", "user", "enable", "bob")
	e.ok("a brand new password\n", "user", "passwd", "bob", "--password-stdin")
	e.ok("", "user", "del", "bob")
	if r := e.run("", "user", "del", "bob"); r.code != 3 {
		t.Fatalf("deleting a deleted user: exit %d", r.code)
	}

	// Confidential client: --json prints exactly client_id and client_secret.
	out := e.ok("", "client", "add", "--name", "Web App", "--redirect-uri", "https://app.example.com/cb", "--scope", "openid profile", "--introspect", "--json")
	var creds map[string]string
	if err := json.Unmarshal([]byte(out), &creds); err != nil {
		t.Fatalf("client add --json is not JSON: %q", out)
	}
	if len(creds) != 2 || creds["client_id"] == "" || len(creds["client_secret"]) != 43 {
		t.Fatalf("client add --json: %v", creds)
	}
	// Public client: no secret; --require-par: its authorization requests must be pushed (RFC 9126);
	// --dpop-bound: its token requests must carry DPoP proofs (RFC 9449).
	out = e.ok("", "client", "add", "--name", "CLI App", "--public", "--redirect-uri", "http://127.0.0.1/cb", "--require-par",
		"--dpop-bound", "--json")
	var pub map[string]string
	_ = json.Unmarshal([]byte(out), &pub)
	if len(pub) != 1 || pub["client_id"] == "" {
		t.Fatalf("public client add --json: %v", pub)
	}
	if r := e.run("", "client", "add", "--name", "Bad", "--redirect-uri", "https://x.example/cb#frag"); r.code != 2 || !strings.Contains(r.stderr, "fragment") {
		t.Fatalf("fragment redirect: exit %d %s", r.code, r.stderr)
	}
	if r := e.run("", "client", "add", "--redirect-uri", "https://x.example/cb"); r.code != 2 {
		t.Fatalf("client add without --name: exit %d", r.code)
	}
	e.ok("", "client", "update", creds["client_id"], "--name", "Web App 2", "--tos-uri", "https://app.example.com/tos")
	rot := e.ok("", "client", "rotate-secret", creds["client_id"], "--json")
	var rotated map[string]string
	_ = json.Unmarshal([]byte(rot), &rotated)
	if rotated["client_secret"] == "" || rotated["client_secret"] == creds["client_secret"] {
		t.Fatalf("rotate-secret: %v", rotated)
	}
	if r := e.run("", "client", "rotate-secret", pub["client_id"]); r.code != 2 {
		t.Fatalf("rotating a public client's secret: exit %d", r.code)
	}
	var clients []struct {
		ID         string   `json:"client_id"`
		Name       string   `json:"client_name"`
		AuthMethod string   `json:"token_endpoint_auth_method"`
		Scopes     []string `json:"scopes"`
		TOSURI     string   `json:"tos_uri"`
		Introspect bool     `json:"introspect"`
		RequirePAR bool     `json:"require_pushed_authorization_requests"`
		DPoPBound  bool     `json:"dpop_bound_access_tokens"`
	}
	if err := json.Unmarshal([]byte(e.ok("", "client", "list", "--json")), &clients); err != nil {
		t.Fatal(err)
	}
	if len(clients) != 2 {
		t.Fatalf("client list: %+v", clients)
	}
	for _, c := range clients {
		if c.ID == creds["client_id"] && (c.Name != "Web App 2" || c.TOSURI == "" || !c.Introspect || c.DPoPBound || c.AuthMethod != "client_secret_basic" || len(c.Scopes) != 2) {
			t.Fatalf("updated client: %+v", c)
		}
		if c.ID == creds["client_id"] && (c.RequirePAR || c.DPoPBound) {
			t.Fatalf("a client added without --require-par and --dpop-bound has them: %+v", c)
		}
		if c.ID == pub["client_id"] && (c.AuthMethod != "none" || !c.RequirePAR || !c.DPoPBound) {
			t.Fatalf("public client: %+v", c)
		}
	}
	e.ok("", "client", "del", pub["client_id"])
	if r := e.run("", "client", "del", pub["client_id"]); r.code != 3 {
		t.Fatalf("deleting a deleted client: exit %d", r.code)
	}
	return rotated["client_secret"], creds["client_id"]
}

// manageKeys lists the signing keys and forces a rotation of one algorithm.
func manageKeys(t *testing.T, e *cliEnv) {
	type key struct {
		KID   string `json:"kid"`
		Alg   string `json:"alg"`
		State string `json:"state"`
	}
	list := func() []key {
		var keys []key
		if err := json.Unmarshal([]byte(e.ok("", "keys", "list", "--json")), &keys); err != nil {
			t.Fatal(err)
		}
		return keys
	}
	before := list()
	if len(before) != 3 {
		t.Fatalf("keys before rotation: %+v", before)
	}
	out := e.ok("", "keys", "rotate", "--alg", "ES256")
	if !strings.Contains(out, "ES256: next key") {
		t.Fatalf("rotate: %q", out)
	}
	after := list()
	var next []key
	for _, k := range after {
		if k.State == "next" {
			next = append(next, k)
		}
	}
	if len(after) != 4 || len(next) != 1 || next[0].Alg != "ES256" {
		t.Fatalf("keys after rotation: %+v", after)
	}
	if r := e.run("", "keys", "rotate", "--alg", "HS256"); r.code != 2 {
		t.Fatalf("rotating an unknown algorithm: exit %d %s", r.code, r.stderr)
	}
}

func TestCLIWithoutServer(t *testing.T) {
	e := newCLIEnv(t)
	manageUsersAndClients(t, e)
	// Signing keys are made when a server first starts; then they are managed without one.
	srv := e.startServer()
	srv.stop()
	manageKeys(t, e)
	if out := e.ok("", "version"); !strings.HasPrefix(out, "assentry ") {
		t.Fatalf("version: %q", out)
	}
}

func TestCLIWithRunningServer(t *testing.T) {
	e := newCLIEnv(t)
	srv := e.startServer()
	manageUsersAndClients(t, e)
	manageKeys(t, e)

	// The running server sees the user the CLI added: log in through its page.
	if !loginOverHTTP(t, "http://"+e.addr, "alice", "hunter2 hunter2 hunter2") {
		t.Fatal("could not log in as a user added by the CLI while the server runs")
	}
	srv.stop()

	// Everything is still there after a clean shutdown, read without a server.
	if out := e.ok("", "user", "list"); !strings.Contains(out, "alice") || strings.Contains(out, "bob") {
		t.Fatalf("after restart:\n%s", out)
	}
	if out := e.ok("", "client", "list"); !strings.Contains(out, "Web App 2") {
		t.Fatalf("after restart:\n%s", out)
	}
}

func TestCLIDataDirLocked(t *testing.T) {
	e := newCLIEnv(t)
	// Another process holds the directory and serves no admin socket.
	st, err := badgerstore.Open(context.Background(), badgerstore.Options{Dir: e.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := e.run("", "user", "list")
	if r.code == 0 || !strings.Contains(r.stderr, "in use by another process") {
		t.Fatalf("locked data dir: exit %d, %s", r.code, r.stderr)
	}
}

func TestCLIBadConfig(t *testing.T) {
	e := newCLIEnv(t)
	if err := os.WriteFile(e.config, []byte("issuer: http://auth.example.com\nacess_token_ttl: 1h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "user", "list")
	if r.code == 0 || !strings.Contains(r.stderr, "acess_token_ttl") || !strings.Contains(r.stderr, "issuer") {
		t.Fatalf("bad config must name every problem: exit %d\n%s", r.code, r.stderr)
	}
}

type runningServer struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan error
	log  *syncBuffer
}

// syncBuffer collects the server's log from the reader goroutine while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (e *cliEnv) startServer() *runningServer {
	e.t.Helper()
	cmd := exec.Command(binary, "--config", e.config, "serve")
	cmd.Env, cmd.Dir = append(append([]string(nil), childEnv...), e.env...), e.wd
	logs := &syncBuffer{}
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		once := false
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if !once && strings.Contains(sc.Text(), `"msg":"listening"`) {
				once = true
				close(listening)
			}
		}
	}()
	s := &runningServer{t: e.t, cmd: cmd, done: make(chan error, 1), log: logs}
	go func() { s.done <- cmd.Wait(); pw.Close() }()
	select {
	case <-listening:
	case err := <-s.done:
		e.t.Fatalf("server exited: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		e.t.Fatalf("server did not start\n%s", logs)
	}
	e.t.Cleanup(func() { _ = cmd.Process.Kill() })
	return s
}

// stop sends SIGTERM and expects a clean exit.
func (s *runningServer) stop() {
	s.t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatalf("server exit after SIGTERM: %v\n%s", err, s.log)
		}
	case <-time.After(30 * time.Second):
		s.t.Fatalf("server did not stop after SIGTERM\n%s", s.log)
	}
	if !strings.Contains(s.log.String(), "shutting down") {
		s.t.Fatalf("no clean shutdown logged:\n%s", s.log)
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token"\s+value="([^"]+)"`)

func loginOverHTTP(t *testing.T, base, user, pw string) bool {
	t.Helper()
	_, status, page := loginForm(t, base, user, pw)
	return status == http.StatusOK && strings.Contains(page, "Signed in")
}

// loginForm fills the login form at base as a browser does (its CSRF field read from the page) and returns the
// browser's cookie jar and the answer's status and page.
func loginForm(t *testing.T, base, user, pw string) (http.CookieJar, int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no CSRF field at %s:\n%s", base, body)
	}
	res, err = c.PostForm(base+"/login", url.Values{"username": {user}, "password": {pw}, "csrf_token": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	return jar, res.StatusCode, string(body)
}
