package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/admin"
)

// prosodyAccounts is a Prosody host's accounts directory written by an independent implementation of Prosody's
// format (testdata/prosody/make_accounts.py), host name escaped as Prosody escapes it.
const prosodyAccounts = "testdata/prosody/xmpp%2eexample%2dnet/accounts"

// prosodyPasswords are the passwords make_accounts.py hashed, as the users type them.
var prosodyPasswords = map[string]string{
	"alice":     "alice password",
	"bob.smith": "bob's pa$$word",
	"carol":     "carol password",
	"dave":      `dave's "plain" password`,
	"émile":     "\u00a0mot de passe \uff45", // SASLprep maps both of its odd characters
	"gina":      "gina password",
}

// TestUserImportProsody imports the accounts through the built binary: a dry run that writes nothing, the import
// on the data directory, a second import over the running server's admin socket that overwrites nothing; then
// every user logs in at /login with its Prosody password, the SCRAM record is replaced by argon2id at that first
// login, the second login works, a wrong password fails, and the disabled, taken, invalid and malformed accounts
// are what the summary said.
func TestUserImportProsody(t *testing.T) {
	e := newCLIEnv(t)
	e.ok("violet harbour lantern\n", "user", "add", "erin", "--password-stdin")

	r := e.run("", "user", "import-prosody", "--accounts", prosodyAccounts, "--dry-run")
	if r.code != 1 || !strings.Contains(r.stdout, "7 would import, 3 skipped") || !strings.Contains(r.stderr, "3 of 10 accounts skipped") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if users := listUsers(t, e); len(users) != 1 {
		t.Fatalf("the dry run created users: %+v", users)
	}

	r = e.run("", "user", "import-prosody", "--accounts", prosodyAccounts)
	if r.code != 1 || !strings.Contains(r.stdout, "7 imported, 3 skipped") {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range []string{
		"imported alice\n", "imported bob.smith\n", "imported carol\n", "imported dave\n", "imported émile\n",
		"imported frank (disabled)\n", "imported gina\n",
		"skipped erin: username is taken: erin\n", "skipped snow☃man: username", "skipped mallory.dat: line 1: expected a string",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("the summary lacks %q:\n%s", line, r.stdout)
		}
	}
	users := listUsers(t, e)
	for name, want := range map[string]string{"alice": "scram-sha-1", "carol": "scram-sha-256", "dave": "argon2id",
		"émile": "scram-sha-1", "erin": "argon2id"} {
		if got := users[name].PasswordScheme; got != want {
			t.Errorf("%s: password scheme %q, want %q", name, got, want)
		}
	}
	if !users["frank"].Disabled || users["alice"].Disabled || len(users["alice"].Roles) != 1 || users["alice"].Roles[0] != "user" {
		t.Errorf("imported users: %+v", users)
	}

	srv := e.startServer()
	defer srv.stop()
	// Over the admin socket this time: every account is now taken (or still invalid), and none is overwritten.
	r = e.run("", "user", "import-prosody", "--accounts", prosodyAccounts)
	if r.code != 1 || !strings.Contains(r.stdout, "0 imported, 10 skipped") {
		t.Fatalf("second import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	base := "http://" + e.addr
	if loginOverHTTP(t, base, "alice", "wrong password") {
		t.Fatal("a wrong password logged in before the first login")
	}
	for name, pw := range prosodyPasswords {
		if !loginOverHTTP(t, base, name, pw) {
			t.Fatalf("%s could not log in with its Prosody password", name)
		}
	}
	users = listUsers(t, e)
	for name := range prosodyPasswords {
		if got := users[name].PasswordScheme; got != "argon2id" {
			t.Errorf("%s: after the first login the password scheme is %q, want argon2id", name, got)
		}
	}
	for name, pw := range prosodyPasswords {
		if !loginOverHTTP(t, base, name, pw) {
			t.Errorf("%s: the second login (on the argon2id hash) failed", name)
		}
	}
	if loginOverHTTP(t, base, "alice", "wrong password") || loginOverHTTP(t, base, "Alice", "alice password ") {
		t.Fatal("a wrong password logged in after the rehash")
	}
	if loginOverHTTP(t, base, "frank", "frank password") {
		t.Fatal("a disabled Prosody account logged in")
	}
	if loginOverHTTP(t, base, "erin", "erin prosody password") || !loginOverHTTP(t, base, "erin", "violet harbour lantern") {
		t.Fatal("the import overwrote an existing user")
	}
	if users := listUsers(t, e); users["frank"].PasswordScheme != "scram-sha-1" {
		t.Fatalf("frank: %q", users["frank"].PasswordScheme)
	}
}

// TestUserImportProsodyUsage: a missing flag is bad usage; a directory with no account files is a failure.
func TestUserImportProsodyUsage(t *testing.T) {
	e := newCLIEnv(t)
	if r := e.run("", "user", "import-prosody"); r.code != 2 || !strings.Contains(r.stderr, "--accounts") {
		t.Fatalf("no --accounts: exit %d %s", r.code, r.stderr)
	}
	if r := e.run("", "user", "import-prosody", "--accounts", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "no account files") {
		t.Fatalf("empty directory: exit %d %s", r.code, r.stderr)
	}
	if r := e.run("", "user", "import-prosody", "--accounts", "testdata/prosody/nowhere"); r.code != 1 {
		t.Fatalf("missing directory: exit %d %s", r.code, r.stderr)
	}
}

func listUsers(t *testing.T, e *cliEnv) map[string]admin.UserView {
	t.Helper()
	var list []admin.UserView
	if err := json.Unmarshal([]byte(e.ok("", "user", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]admin.UserView{}
	for _, u := range list {
		out[u.Username] = u
	}
	return out
}

// TestUserImportProsodyBatches: a host too large for one request on the admin socket (1 MiB) is sent in several,
// and a dry run still sees two accounts of different batches that normalise to one username.
func TestUserImportProsodyBatches(t *testing.T) {
	e := newCLIEnv(t)
	alice, err := os.ReadFile(filepath.Join(prosodyAccounts, "alice.dat"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	names := []string{"Zed", "zed"}
	for i := range 6000 {
		names = append(names, fmt.Sprintf("u%04d", i))
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n+".dat"), alice, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	defer e.startServer().stop()
	r := e.run("", "user", "import-prosody", "--accounts", dir, "--dry-run")
	if r.code != 1 || !strings.Contains(r.stdout, "6001 would import, 1 skipped") ||
		!strings.Contains(r.stdout, "skipped zed: username is taken: zed (imported from Zed)") {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, lastLines(r.stdout, 3), r.stderr)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
