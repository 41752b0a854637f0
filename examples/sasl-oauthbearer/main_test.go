package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/oauthbearer"
)

// assentryBin is the assentry binary the tests build once and run with `serve`.
var assentryBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sasl-oauthbearer-test")
	if err != nil {
		panic(err)
	}
	assentryBin = filepath.Join(dir, "assentry")
	out, err := exec.Command("go", "build", "-o", assentryBin, "../../cmd/assentry").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building assentry: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The clients of the test's Assentry: the mail app users sign in with, another app, and the example server.
const (
	mailAppSecret = "mail-app-secret-0123456789abcdef"
	chatAppSecret = "chat-app-secret-0123456789abcdef"
	imapSecret    = "imap-server-secret-0123456789abcdef"
	alicePassword = "correct horse battery staple 42"
)

const testConfig = `issuer: http://%[1]s
listen: %[1]s
data_dir: %[2]s
admin_socket: %[3]s
grant_types: [authorization_code, refresh_token, client_credentials, password]
argon2: {memory: 64, iterations: 1, parallelism: 1}
# The shortest publish-ahead there is, so that a key rotation signs within seconds (TestEndToEndJWT).
key_publish_ahead: 4s
# RFC 8707 resources: the example server in JWT mode is imap://mail.example.net; smtp://mail.example.net is
# another server's.
resources:
  - {uri: "imap://mail.example.net", access_token_format: jwt}
  - {uri: "smtp://mail.example.net", access_token_format: jwt}
scopes:
  - name: mail
    title: Read and send your mail
clients:
  - client_id: mail-app
    client_name: Mail app
    client_secret_env: MAIL_APP_SECRET
    grant_types: [password, client_credentials, refresh_token]
    scope: mail xmpp offline_access
  - client_id: chat-app
    client_name: Chat app
    client_secret_env: CHAT_APP_SECRET
    grant_types: [password]
    scope: mail
  - client_id: imap-server
    client_name: IMAP server
    client_secret_env: IMAP_SERVER_SECRET
    grant_types: [client_credentials]
    introspect: true
`

// assentry is a running `assentry serve`.
type assentry struct {
	issuer string
	config string
	env    []string
}

// startAssentry runs the real server on a free loopback port with the test's configuration and adds the user
// alice with the CLI (over the admin socket).
func startAssentry(t *testing.T) *assentry {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	a := &assentry{issuer: "http://" + addr, config: filepath.Join(dir, "assentry.yaml"),
		env: append(os.Environ(), "MAIL_APP_SECRET="+mailAppSecret, "CHAT_APP_SECRET="+chatAppSecret,
			"IMAP_SERVER_SECRET="+imapSecret)}
	cfg := fmt.Sprintf(testConfig, addr, filepath.Join(dir, "data"), filepath.Join(dir, "admin.sock"))
	if err := os.WriteFile(a.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(assentryBin, "--config", a.config, "serve")
	cmd.Env = a.env
	var logs testlog.Buffer
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = &logs, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready, exited := make(chan struct{}), make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		once := false
		for sc.Scan() {
			logs.Write([]byte(sc.Text() + "\n"))
			if !once && strings.Contains(sc.Text(), `"msg":"listening"`) {
				once = true
				close(ready)
			}
		}
	}()
	go func() { exited <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("assentry's log:\n%s", logs.String())
		}
	})
	// Bounded so that a server that never gets ready fails the test instead of hanging it; not a measurement.
	select {
	case <-ready:
	case err := <-exited:
		t.Fatalf("assentry serve exited: %v\n%s", err, logs.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("assentry serve not ready after 90 s\n%s", logs.String())
	}
	add := exec.Command(assentryBin, "--config", a.config, "user", "add", "alice", "--password-stdin")
	add.Env, add.Stdin = a.env, strings.NewReader(alicePassword+"\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	return a
}

// passwordToken gets alice a token for client (the password grant, with golang.org/x/oauth2).
func (a *assentry) passwordToken(t *testing.T, clientID, secret string, scopes ...string) string {
	t.Helper()
	cfg := &oauth2.Config{ClientID: clientID, ClientSecret: secret, Scopes: scopes,
		Endpoint: oauth2.Endpoint{TokenURL: a.issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	tok, err := cfg.PasswordCredentialsToken(context.Background(), "alice", alicePassword)
	if err != nil {
		t.Fatalf("password grant for %s: %v", clientID, err)
	}
	if got := tok.Extra("scope"); got != strings.Join(scopes, " ") {
		t.Fatalf("the token's scope is %q, want %q", got, strings.Join(scopes, " "))
	}
	return tok.AccessToken
}

// revoke revokes token at Assentry (RFC 7009) as the client it was issued to.
func (a *assentry) revoke(t *testing.T, clientID, secret, token string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.issuer+"/oauth2/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("revocation: %s", res.Status)
	}
}

// clock is the example server's clock, moved by the test to expire cached introspection answers.
type clock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.d) }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d += d
}

// startExample runs the example server on a free loopback port, checking tokens at a with the client
// imap-server, requiring the scope mail and the audience mail-app.
func startExample(t *testing.T, a *assentry, c *clock) (addr string, logs *testlog.Buffer) {
	t.Helper()
	return startServer(t, serverOptions{Issuer: a.issuer, ClientID: "imap-server", ClientSecret: imapSecret,
		Scopes: []string{"mail"}, Audiences: []string{"mail-app"}, CacheTTL: time.Minute, Now: c.Now})
}

// startServer runs the example server with o on a free loopback port until the test ends.
func startServer(t *testing.T, o serverOptions) (addr string, logs *testlog.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	auth, err := newAuthenticator(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs = &testlog.Buffer{}
	s := &server{auth: auth, log: slog.New(slog.NewJSONHandler(logs, nil))}
	go s.serve(ctx, ln)
	return ln.Addr().String(), logs
}

// signIn runs the example's client mode (the command line, as a user would) and returns its output and
// whether it signed in.
func signIn(t *testing.T, addr, token string, args ...string) (string, bool) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := func(k string) string {
		if k == "SASL_EXAMPLE_TOKEN" {
			return token
		}
		return ""
	}
	code := run(context.Background(), append([]string{"client", "-addr", addr}, args...), env, &out, &errOut)
	if code != 0 && code != 1 || errOut.Len() > 0 {
		t.Fatalf("client: exit %d, %s", code, errOut.String())
	}
	return out.String(), code == 0
}

// wantFailure checks the client's output: the RFC 7628 §3.2.2 JSON the server sent, then its NO.
func wantFailure(t *testing.T, out string, ok bool, a *assentry, status string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if ok || len(lines) != 2 || !strings.HasPrefix(lines[0], "failure: ") {
		t.Fatalf("want a failure, got (ok %v):\n%s", ok, out)
	}
	var f map[string]string
	if err := json.Unmarshal([]byte(strings.TrimPrefix(lines[0], "failure: ")), &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"status": status, "scope": "mail", "openid-configuration": a.issuer + "/.well-known/openid-configuration"}
	if fmt.Sprint(f) != fmt.Sprint(want) {
		t.Errorf("failure %v, want %v", f, want)
	}
	if lines[1] != "a1 NO [AUTHENTICATIONFAILED] "+status {
		t.Errorf("answer %q", lines[1])
	}
}

// TestEndToEnd: tokens issued by a real `assentry serve` sign in to the example server, or are refused with the
// RFC 7628 error JSON: revoked (after the cache's delay), a wrong authzid, a missing scope, another client's
// audience, a client's own token, a refresh token.
func TestEndToEnd(t *testing.T) {
	a := startAssentry(t)
	c := &clock{}
	addr, logs := startExample(t, a, c)
	defer func() {
		if t.Failed() {
			t.Logf("the example server's log:\n%s", logs.String())
		}
	}()
	alice := a.passwordToken(t, "mail-app", mailAppSecret, "mail")

	if out, ok := signIn(t, addr, alice); !ok || strings.TrimSpace(out) != "a1 OK [AUTHENTICATED] signed in as alice" {
		t.Fatalf("alice's token: %s", out)
	}
	if out, ok := signIn(t, addr, alice, "-authzid", "alice"); !ok || !strings.Contains(out, "signed in as alice") {
		t.Fatalf("alice's token with authzid alice: %s", out)
	}
	out, ok := signIn(t, addr, alice, "-authzid", "bob")
	wantFailure(t, out, ok, a, oauthbearer.StatusInvalidRequest)

	xmppOnly := a.passwordToken(t, "mail-app", mailAppSecret, "xmpp")
	out, ok = signIn(t, addr, xmppOnly)
	wantFailure(t, out, ok, a, oauthbearer.StatusInsufficientScope)

	chat := a.passwordToken(t, "chat-app", chatAppSecret, "mail")
	out, ok = signIn(t, addr, chat)
	wantFailure(t, out, ok, a, oauthbearer.StatusInvalidToken)

	cc := clientcredentials.Config{ClientID: "mail-app", ClientSecret: mailAppSecret, TokenURL: a.issuer + "/oauth2/token",
		Scopes: []string{"mail"}, AuthStyle: oauth2.AuthStyleInHeader}
	own, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out, ok = signIn(t, addr, own.AccessToken)
	wantFailure(t, out, ok, a, oauthbearer.StatusInvalidToken)

	// A refresh token is not an access token: introspection reports no token_type Bearer for it.
	cfg := &oauth2.Config{ClientID: "mail-app", ClientSecret: mailAppSecret, Scopes: []string{"mail", "offline_access"},
		Endpoint: oauth2.Endpoint{TokenURL: a.issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	withRefresh, err := cfg.PasswordCredentialsToken(context.Background(), "alice", alicePassword)
	if err != nil || withRefresh.RefreshToken == "" {
		t.Fatalf("no refresh token: %v", err)
	}
	out, ok = signIn(t, addr, withRefresh.RefreshToken)
	wantFailure(t, out, ok, a, oauthbearer.StatusInvalidToken)
	if out, ok := signIn(t, addr, withRefresh.AccessToken); !ok {
		t.Fatalf("the access token beside it: %s", out)
	}

	// Revoked: accepted from the cache until its answer is a minute old (the documented revocation delay),
	// refused after.
	a.revoke(t, "mail-app", mailAppSecret, alice)
	if out, ok := signIn(t, addr, alice); !ok {
		t.Fatalf("within the cache TTL the answer from before the revocation holds: %s", out)
	}
	c.Add(time.Minute)
	out, ok = signIn(t, addr, alice)
	wantFailure(t, out, ok, a, oauthbearer.StatusInvalidToken)
	if !strings.Contains(logs.String(), "inactive at the authorization server") {
		t.Errorf("the server's log does not say why:\n%s", logs.String())
	}

	// A new token of alice's still works, and the server never logged a token.
	fresh := a.passwordToken(t, "mail-app", mailAppSecret, "mail")
	if out, ok := signIn(t, addr, fresh); !ok {
		t.Fatalf("a fresh token: %s", out)
	}
	for _, tok := range []string{alice, fresh, chat, xmppOnly, own.AccessToken, withRefresh.RefreshToken} {
		if strings.Contains(logs.String(), tok) {
			t.Fatal("the server's log holds a token")
		}
	}

	t.Run("malformed", func(t *testing.T) { testMalformed(t, addr, fresh) })
	t.Run("serve command", func(t *testing.T) {
		testServeCommand(t, a, fresh, "-client-id", "imap-server", "-scope", "mail", "-audience", "mail-app")
	})
}

// testMalformed sends malformed exchanges over TCP and checks the server's answers: BAD with what is wrong for
// a malformed message, and nothing that signs in.
func testMalformed(t *testing.T, addr, token string) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	good := b64(string((&oauthbearer.InitialResponse{Token: token}).Marshal()))
	tests := []struct {
		name  string
		lines []string // the client's lines after the greeting
		want  []string // the server's lines, in order (prefixes)
	}{
		{"not base64", []string{"a1 AUTHENTICATE OAUTHBEARER n,,"}, []string{"a1 BAD the response is not base64"}},
		{"basic credentials", []string{"a1 AUTHENTICATE OAUTHBEARER " + b64("n,,\x01auth=Basic YWxpY2U6cHc=\x01\x01")},
			[]string{`a1 BAD malformed OAUTHBEARER message: the auth value must be "Bearer <token>"`}},
		{"no final kvsep", []string{"a1 AUTHENTICATE OAUTHBEARER " + b64("n,,\x01auth=Bearer "+token+"\x01")},
			[]string{"a1 BAD malformed OAUTHBEARER message: the key/value pairs must end with %x01%x01"}},
		{"channel binding", []string{"a1 AUTHENTICATE OAUTHBEARER " + b64("p=tls-exporter,,\x01auth=Bearer "+token+"\x01\x01")},
			[]string{"a1 BAD malformed OAUTHBEARER message: the client asks for channel binding"}},
		{"lone kvsep first", []string{"a1 AUTHENTICATE OAUTHBEARER " + b64("\x01")},
			[]string{"a1 BAD malformed OAUTHBEARER message: a lone %x01 is only the client's answer to a failure"}},
		{"empty initial response", []string{"a1 AUTHENTICATE OAUTHBEARER ="}, []string{"a1 BAD malformed OAUTHBEARER message: the message is empty"}},
		{"not %x01 after a failure", []string{"a1 AUTHENTICATE OAUTHBEARER " + b64("n,a=bob,\x01auth=Bearer "+token+"\x01\x01"), good},
			[]string{"+ ", "a1 BAD malformed OAUTHBEARER message: after a failure the client must answer with a lone %x01"}},
		{"cancelled after a failure", []string{"a1 AUTHENTICATE OAUTHBEARER " + b64("n,a=bob,\x01auth=Bearer "+token+"\x01\x01"), "*"},
			[]string{"+ ", "a1 BAD AUTHENTICATE cancelled"}},
		{"other mechanism", []string{"a1 AUTHENTICATE PLAIN " + b64("\x00alice\x00pw")}, []string{"a1 NO [CANNOT] unsupported mechanism"}},
		// Without an initial response the server asks with an empty challenge, and the exchange goes on as usual.
		{"no initial response", []string{"a1 AUTHENTICATE OAUTHBEARER", good, "a2 AUTHENTICATE OAUTHBEARER " + good, "a3 LOGOUT"},
			[]string{"+ ", "a1 OK [AUTHENTICATED] signed in as alice", "a2 BAD already authenticated", "* BYE", "a3 OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
			r := bufio.NewReader(conn)
			if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "* OK [CAPABILITY") {
				t.Fatalf("greeting %q", l)
			}
			for _, l := range tt.lines {
				fmt.Fprintf(conn, "%s\r\n", l)
			}
			for _, want := range tt.want {
				got, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("reading, want %q: %v", want, err)
				}
				if !strings.HasPrefix(got, want) {
					t.Fatalf("got %q, want %q", got, want)
				}
			}
			// The connection is still usable after a refused exchange, and nobody is signed in on it.
			if tt.name != "no initial response" {
				fmt.Fprintf(conn, "z1 AUTHENTICATE OAUTHBEARER %s\r\n", good)
				if got, _ := r.ReadString('\n'); !strings.HasPrefix(got, "z1 OK [AUTHENTICATED]") {
					t.Fatalf("a good exchange after it: %q", got)
				}
			}
		})
	}
}

// testServeCommand runs the serve command with -issuer, -listen and flags, as a user would, and signs in to it
// with token.
func testServeCommand(t *testing.T, a *assentry, token string, flags ...string) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	env := func(k string) string {
		if k == "SASL_EXAMPLE_CLIENT_SECRET" {
			return imapSecret
		}
		return ""
	}
	var stderr testlog.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "-listen", addr, "-issuer", a.issuer}, flags...), env, io.Discard, &stderr)
	}()
	for i := 0; ; i++ {
		if strings.Contains(stderr.String(), `"msg":"listening"`) {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if i > 600 { // bounded wait, not a measurement
			t.Fatalf("serve not listening after 30 s: %s", stderr.String())
		}
	}
	if out, ok := signIn(t, addr, token); !ok {
		t.Errorf("serve command: %s", out)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited with %d: %s", code, stderr.String())
	}
	if code := run(context.Background(), []string{"serve", "-listen", "0.0.0.0:1143", "-issuer", a.issuer,
		"-client-id", "imap-server"}, env, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "only a loopback") {
		t.Errorf("a non-loopback -listen: exit %d, %s", code, stderr.String())
	}
	// Without -audience any client's token would sign in: serve refuses to start.
	if code := run(context.Background(), []string{"serve", "-listen", freeAddr(t), "-issuer", a.issuer,
		"-client-id", "imap-server", "-scope", "mail"}, env, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "-audience is required") {
		t.Errorf("no -audience: exit %d, %s", code, stderr.String())
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
