package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests of several `assentry serve` processes on one PostgreSQL database beyond the token flows
// (postgres_test.go): the static clients of different configurations during a rolling deploy, management
// commands run on the database with no server's admin socket, and a browser session made at one instance and
// used at another.

// sharedStore is the configuration every server and command of a test shares: the grants the tests use, the key
// encryption key and the database. heartbeat "" keeps the default (15 s).
func sharedStore(dsn, heartbeat string) string {
	hb := ""
	if heartbeat != "" {
		hb = ", heartbeat: " + heartbeat
	}
	return "grant_types: [authorization_code, refresh_token, client_credentials, password]\nkey_encryption_key: " +
		testKEK + "\nstore: {backend: postgres, dsn: '" + dsn + "'" + hb + "}\n"
}

// staticSecret is the secret of the static client id in the tests' configurations.
func staticSecret(id string) string { return "secret-of-" + id }

// staticClients is a `clients:` section declaring a client_credentials client per id.
func staticClients(ids ...string) string {
	var b strings.Builder
	b.WriteString("clients:\n")
	for _, id := range ids {
		sum := sha256.Sum256([]byte(staticSecret(id)))
		fmt.Fprintf(&b, "  - client_id: %s\n    client_name: Static %s\n    client_secret_sha256: %s\n    grant_types: [client_credentials]\n",
			id, id, hex.EncodeToString(sum[:]))
	}
	return b.String()
}

// authenticates reports whether the static client id gets a token at the server on addr (200) rather than an
// invalid_client (401); any other answer fails the test.
func authenticates(t *testing.T, addr, id string) bool {
	t.Helper()
	status, _, err := clientCredentials(addr, addr, id, staticSecret(id))
	switch {
	case err != nil:
		t.Fatalf("token request of %s at %s: %v", id, addr, err)
	case status == http.StatusOK:
		return true
	case status != http.StatusUnauthorized:
		t.Fatalf("token request of %s at %s: status %d", id, addr, status)
	}
	return false
}

// startStaticPair starts two servers on one new database: A, whose configuration declares the static clients x
// and y, and B, whose declares only x, both with store.heartbeat heartbeat ("": the default); B's audit log is
// audit.log in its directory. B is stopped when the test ends; A is the test's to stop or kill.
func startStaticPair(t *testing.T, heartbeat string) (a, b *cliEnv, srvA, srvB *runningServer) {
	t.Helper()
	dsn := postgresDB(t)
	a, b = newCLIEnv(t), newCLIEnv(t)
	a.appendConfig(sharedStore(dsn, heartbeat) + staticClients("x", "y"))
	b.appendConfig(sharedStore(dsn, heartbeat) + staticClients("x") + "audit: {file: " + filepath.Join(b.dir, "audit.log") + "}\n")
	srvA = a.startServer()
	srvB = b.startServer()
	t.Cleanup(srvB.stop)
	return a, b, srvA, srvB
}

// TestServePostgresStaticClientsRollingDeploy: A's configuration declares the static clients x and y, B's (the
// old one, say) only x. B's start and B's reload sync B's file and keep y, which A declares: y authenticates at
// both. Once A has stopped cleanly (withdrawing its announcement), B's next reload deletes y, and audits it.
func TestServePostgresStaticClientsRollingDeploy(t *testing.T) {
	a, b, srvA, _ := startStaticPair(t, "")
	check := func(when string) {
		t.Helper()
		for _, addr := range []string{a.addr, b.addr} {
			for _, id := range []string{"x", "y"} {
				if !authenticates(t, addr, id) {
					t.Fatalf("%s: %s does not authenticate at %s", when, id, addr)
				}
			}
		}
	}
	check("B started on a file without y")
	if out := b.ok("", "reload"); !strings.Contains(out, "reloaded") {
		t.Fatalf("reload of B: %q", out)
	}
	check("B reloaded its file without y")
	// Each instance has its own id, in its log and in the header of its probes.
	idA, idB := instanceHeader(t, a.addr), instanceHeader(t, b.addr)
	if idA == "" || idA == idB || !strings.Contains(srvA.log.String(), `"instance":"`+idA+`"`) {
		t.Fatalf("instance ids: A %q, B %q; A's log:\n%s", idA, idB, srvA.log)
	}

	srvA.stop()
	b.ok("", "reload")
	if authenticates(t, b.addr, "y") {
		t.Fatal("y still authenticates at B after A, the last instance declaring it, stopped and B reloaded")
	}
	if !hasLine(readAuditFile(t, filepath.Join(b.dir, "audit.log")), map[string]string{"event": "client.revoked",
		"client_id": "y", "reason": "undeclared", "client_kind": "confidential"}) {
		t.Fatal("B's reload deleted y without a client.revoked line in its audit log")
	}
	if !authenticates(t, b.addr, "x") {
		t.Fatal("x, which B declares, no longer authenticates at B")
	}
}

// instanceHeader is the Assentry-Instance header of the server's /readyz, which must be ready.
func instanceHeader(t *testing.T, addr string) string {
	t.Helper()
	res, err := noRedirects.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("readyz at %s: %d", addr, res.StatusCode)
	}
	return res.Header.Get("Assentry-Instance")
}

// TestServePostgresStaticClientsCrashedInstance: when A, the only instance declaring y, dies without withdrawing
// (SIGKILL), B's heartbeat deletes y once A's announcement has lapsed: with store.heartbeat 1s, an announcement
// lives 3 s. The test waits for that, up to a minute, rather than for a fixed time.
func TestServePostgresStaticClientsCrashedInstance(t *testing.T) {
	_, b, srvA, srvB := startStaticPair(t, "1s")
	// Several heartbeats of B pass while A is alive: none deletes y.
	for range 3 {
		if !authenticates(t, b.addr, "y") {
			t.Fatalf("y was deleted while A, which declares it, is alive:\n%s", srvB.log)
		}
		time.Sleep(time.Second)
	}
	if err := srvA.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-srvA.done
	deadline := time.Now().Add(time.Minute)
	for authenticates(t, b.addr, "y") {
		if time.Now().After(deadline) {
			t.Fatalf("y still authenticates at B a minute after A was killed:\n%s", srvB.log)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !authenticates(t, b.addr, "x") {
		t.Fatal("x, which B declares, no longer authenticates at B")
	}
	if !strings.Contains(srvB.log.String(), `"clients":["y"]`) {
		t.Fatalf("B did not log the deletion of y:\n%s", srvB.log)
	}
	// The heartbeat's deletion is in B's audit log (written just after the deletion: waited for).
	until(t, "client.revoked of y in B's audit log", func() bool {
		return hasLine(readAuditFile(t, filepath.Join(b.dir, "audit.log")), map[string]string{"event": "client.revoked",
			"client_id": "y", "reason": "undeclared", "host": "default"})
	})
}

// TestManagementCommandsPostgres: with two servers on one database, management commands run with a
// configuration that points at the database and at a data directory no server uses (removed, even) act on the
// database directly, and take effect at both servers at once: a user added logs in at both, a client added gets
// tokens at both, and `grant revoke --user` ends the user's tokens at both. The actions are audited by the
// command.
func TestManagementCommandsPostgres(t *testing.T) {
	dsn := postgresDB(t)
	a, b, cli := newCLIEnv(t), newCLIEnv(t), newCLIEnv(t)
	a.appendConfig(sharedStore(dsn, ""))
	b.appendConfig(sharedStore(dsn, ""))
	auditPath := filepath.Join(cli.dir, "audit.log")
	cli.appendConfig(sharedStore(dsn, "") + "audit: {file: " + auditPath + "}\n")
	srvA := a.startServer()
	defer srvA.stop()
	srvB := b.startServer()
	defer srvB.stop()
	if err := os.RemoveAll(cli.dataDir); err != nil {
		t.Fatal(err)
	}

	const pw = "violet harbour lantern 42"
	cli.ok(pw+"\n", "user", "add", "alice", "--password-stdin")
	for _, addr := range []string{a.addr, b.addr} {
		if !loginOverHTTP(t, "http://"+addr, "alice", pw) {
			t.Fatalf("alice, added by the command, cannot log in at %s", addr)
		}
	}
	var creds map[string]string
	out := cli.ok("", "client", "add", "--name", "Service", "--grant-type", "client_credentials", "--grant-type", "password", "--json")
	if err := json.Unmarshal([]byte(out), &creds); err != nil || creds["client_secret"] == "" {
		t.Fatalf("client add: %q %v", out, err)
	}
	id, secret := creds["client_id"], creds["client_secret"]
	for _, addr := range []string{a.addr, b.addr} {
		if status, _, err := clientCredentials(addr, addr, id, secret); err != nil || status != http.StatusOK {
			t.Fatalf("the client added by the command at %s: %d %v", addr, status, err)
		}
	}

	c := loopbackClient()
	status, body, err := postForm(c, "http://"+a.addr+"/oauth2/token", id, secret,
		url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {pw}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("password grant at A: %d %s %v", status, body, err)
	}
	active := func(addr string) bool {
		t.Helper()
		return activeAt(t, c, "http://"+addr, id, secret, tok.AccessToken)
	}
	if !active(a.addr) || !active(b.addr) {
		t.Fatal("alice's token is not active at both servers")
	}
	if out := cli.ok("", "grant", "revoke", "--user", "alice"); !strings.Contains(out, "revoked 1 grants") {
		t.Fatalf("grant revoke --user: %q", out)
	}
	if active(a.addr) || active(b.addr) {
		t.Fatal("alice's token is still active after grant revoke --user")
	}

	lines := readAuditFile(t, auditPath)
	actor := "uid:" + strconv.Itoa(os.Getuid())
	for _, op := range []string{"user.add", "client.add", "grant.revoke-user"} {
		if !hasLine(lines, map[string]string{"event": "admin.action", "op": op, "outcome": "ok", "actor": actor}) {
			t.Errorf("no audit line of %s by %s in %v", op, actor, lines)
		}
	}
	// The servers were not asked: nothing came over their admin sockets.
	for _, srv := range []*runningServer{srvA, srvB} {
		if strings.Contains(srv.log.String(), `"op":"user.add"`) {
			t.Errorf("a server handled the command:\n%s", srv.log)
		}
	}
}

// TestServePostgresSessionAtBothInstances: the browser session made by a login at A is a session at B (sessions
// live in the database): B's login page, opened with A's session cookie alone, shows the signed-in page, and
// without it the login form.
func TestServePostgresSessionAtBothInstances(t *testing.T) {
	dsn := postgresDB(t)
	a, b, cli := newCLIEnv(t), newCLIEnv(t), newCLIEnv(t)
	for _, e := range []*cliEnv{a, b, cli} {
		e.appendConfig(sharedStore(dsn, ""))
	}
	srvA := a.startServer()
	defer srvA.stop()
	srvB := b.startServer()
	defer srvB.stop()
	const pw = "violet harbour lantern 42"
	cli.ok(pw+"\n", "user", "add", "alice", "--password-stdin")

	// Log in at A, keeping the cookies.
	jar, status, page := loginForm(t, "http://"+a.addr, "alice", pw)
	if status != http.StatusOK || !strings.Contains(page, "Signed in") {
		t.Fatalf("login at A: %d\n%s", status, page)
	}
	var session *http.Cookie
	for _, c := range jar.Cookies(&url.URL{Scheme: "http", Host: a.addr, Path: "/"}) {
		if c.Name == "assentry_session" {
			session = c
		}
	}
	if session == nil || session.Value == "" {
		t.Fatal("no session cookie after logging in at A")
	}

	loginPage := func(cookie *http.Cookie) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+b.addr+"/login", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		res, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("login page at B: %d\n%s", res.StatusCode, body)
		}
		return string(body)
	}
	if page := loginPage(session); !strings.Contains(page, "Signed in") {
		t.Fatalf("A's session is not a session at B:\n%s", page)
	}
	if page := loginPage(nil); strings.Contains(page, "Signed in") || !strings.Contains(page, `name="password"`) {
		t.Fatalf("B's login page without a session:\n%s", page)
	}
	if page := loginPage(&http.Cookie{Name: session.Name, Value: strings.Repeat("A", len(session.Value))}); strings.Contains(page, "Signed in") {
		t.Fatal("a made-up session cookie is a session at B")
	}
}

// TestBackupRestorePostgres: backup and restore copy a Badger data directory; with a configuration whose store is
// PostgreSQL they say so and name pg_dump, and touch nothing (no database is needed to see it).
func TestBackupRestorePostgres(t *testing.T) {
	e := newCLIEnv(t)
	e.appendConfig("key_encryption_key: " + testKEK + "\nstore: {backend: postgres, dsn: 'postgres://nobody@127.0.0.1:1/none'}\n")
	file := filepath.Join(e.dir, "backup.assentry")
	into := filepath.Join(e.dir, "restored")
	for _, args := range [][]string{{"backup", file}, {"restore", file, "--data-dir", into}} {
		r := e.run("", args...)
		if r.code == 0 || !strings.Contains(r.stderr, "store is PostgreSQL") || !strings.Contains(r.stderr, "pg_dump") {
			t.Fatalf("assentry %v on a PostgreSQL configuration: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	for _, p := range []string{file, into} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s exists after the refusal: %v", p, err)
		}
	}
}
