package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readAuditFile decodes the lines of an audit log written by the binary (none when the file does not exist).
func readAuditFile(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// hasLine reports whether a line has every field of want.
func hasLine(lines []map[string]any, want map[string]string) bool {
	for _, l := range lines {
		ok := true
		for k, v := range want {
			if s, _ := l[k].(string); s != v {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// TestAuditLogEndToEnd runs `assentry serve` with audit.file set: management commands (offline and over the admin
// socket), logins and a token each leave their line, a login refused by the rate limit too (and is counted in
// /metrics), no password appears, and after logrotate's rename a SIGHUP starts a new file.
func TestAuditLogEndToEnd(t *testing.T) {
	e := newCLIEnv(t)
	path := filepath.Join(e.dir, "audit.log")
	adminAddr := freeAddr(t)
	e.appendConfig("grant_types: [authorization_code, refresh_token, client_credentials]\naudit:\n  file: " + path + "\n" +
		"admin_listen: " + adminAddr + "\nrate_limits:\n  login_per_username: {burst: 2, every: 1h}\n")
	const pw, wrong = "correct-horse-battery", "wrong-staple-guess"
	e.ok(pw+"\n", "user", "add", "alice", "--password-stdin") // no server: audited by the command itself
	id, secret := e.addServiceClient("svc")
	srv := e.startServer()
	base := "http://" + e.addr

	if loginOverHTTP(t, base, "alice", wrong) || !loginOverHTTP(t, base, "alice", pw) {
		t.Fatal("logins did not answer as expected")
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret)) // client_secret_basic, as registered
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("client credentials: %d", res.StatusCode)
	}
	e.ok("", "user", "list") // over the admin socket

	// bob's failures exhaust his username's bucket: the next attempt is refused before any password is checked.
	limited := 0
	for i := 0; i < 5 && limited == 0; i++ {
		if _, status, _ := loginForm(t, base, "bob", wrong); status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 1 {
		t.Fatal("five failed logins of one username were never rate limited")
	}
	status, _, metrics := adminCall(t, http.MethodGet, "http://"+adminAddr+"/metrics", "", nil)
	if want := `assentry_logins_total{host="default",outcome="rate_limited"} 1`; status != http.StatusOK ||
		!strings.Contains(string(metrics), want) {
		t.Errorf("/metrics: %d, lacks %s:\n%s", status, want, metrics)
	}

	// logrotate: rename, then SIGHUP; the server reopens its path and the next lines go to a new file.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The reopen runs on the signal's goroutine: log in until a line lands in the new file.
	deadline := time.Now().Add(30 * time.Second)
	for len(readAuditFile(t, path)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no new audit file after SIGHUP\n%s", srv.log)
		}
		loginOverHTTP(t, base, "alice", pw)
	}
	srv.stop()

	lines := append(readAuditFile(t, path+".1"), readAuditFile(t, path)...)
	actor := "uid:" + strconv.Itoa(os.Getuid())
	for _, want := range []map[string]string{
		{"event": "admin.action", "op": "user.add", "outcome": "ok", "actor": actor, "host": "default"},
		{"event": "admin.action", "op": "client.add", "outcome": "ok", "actor": actor},
		{"event": "admin.action", "op": "user.list", "outcome": "ok", "actor": actor},
		{"event": "login.failed", "username": "alice", "reason": "bad_password", "ip": "127.0.0.1"},
		{"event": "login.succeeded", "username": "alice"},
		{"event": "login.rate_limited", "username": "bob", "ip": "127.0.0.1"},
		{"event": "token.issued", "grant_type": "client_credentials", "client_id": id, "client_kind": "confidential"},
	} {
		if !hasLine(lines, want) {
			t.Errorf("no audit line with %v", want)
		}
	}
	for _, l := range lines {
		if l["event"] != "admin.action" && l["event"] != "key.rotated" && l["request_id"] == nil {
			t.Errorf("a request's line without request_id: %v", l)
		}
	}
	if !hasLine(readAuditFile(t, path), map[string]string{"event": "login.succeeded"}) {
		t.Error("the file started after SIGHUP has no login")
	}
	raw, _ := os.ReadFile(path + ".1")
	for _, s := range []string{pw, wrong, secret} {
		if strings.Contains(string(raw), s) {
			t.Errorf("a secret is in the audit log: %s", s)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode: %v %v", fi, err)
	}
}
