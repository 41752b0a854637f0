package main

import (
	"strings"
	"testing"

	"github.com/assentry/assentry/store/badger/badgertest"
)

// mustSay fails unless s says every one of want.
func mustSay(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not say %q:\n%s", what, w, s)
		}
	}
}

// TestStoreFormatUpgrade walks the operator's paths through the real binary: a directory from a build before
// format versioning is refused by serve (and by the management commands) with the command to run, migrated by
// `assentry migrate`, served afterwards with its data; with auto_migrate the server migrates it at start; a
// directory of a newer format is refused by every command that opens it.
func TestStoreFormatUpgrade(t *testing.T) {
	e := newCLIEnv(t)
	e.ok("correct horse battery\n", "user", "add", "alice", "--password-stdin")
	if out := e.ok("", "migrate"); !strings.Contains(out, "at format 1: nothing to migrate") {
		t.Fatalf("migrate on a fresh directory: %q", out)
	}
	badgertest.SetFormat(t, e.dataDir, 0) // as a build before format versioning left it

	r := e.run("", "serve")
	if r.code != 1 {
		t.Fatalf("serve on an unmigrated store: exit %d\n%s", r.code, r.stderr)
	}
	mustSay(t, "serve's refusal", r.stderr, e.dataDir, "needs migrating from format 0 to 1", "0 → 1: record the store format",
		"assentry migrate --config "+e.config, "auto_migrate: true", "assentry backup")
	if r := e.run("", "user", "list"); r.code != 1 || !strings.Contains(r.stderr, "needs migrating") {
		t.Fatalf("user list on an unmigrated store: exit %d %s", r.code, r.stderr)
	}
	// A backup is taken as the data is: the way back before migrating.
	if out := e.ok("", "backup", e.dir+"/before-migrate.backup"); !strings.Contains(out, "store format 0") {
		t.Fatalf("backup of the unmigrated store: %q", out)
	}

	out := e.ok("", "migrate")
	mustSay(t, "migrate", out, "migrated 0 → 1: record the store format", "is now at format 1 (was 0)")
	if out := e.ok("", "migrate"); !strings.Contains(out, "nothing to migrate") {
		t.Fatalf("second migrate: %q", out)
	}
	srv := e.startServer()
	if !loginOverHTTP(t, "http://"+e.addr, "alice", "correct horse battery") {
		t.Fatal("the migrated store lost its user")
	}
	srv.stop()

	// auto_migrate: the server migrates at start and says so.
	badgertest.SetFormat(t, e.dataDir, 0)
	e.appendConfig("auto_migrate: true\n")
	srv = e.startServer()
	mustSay(t, "the server's log", srv.log.String(), `"msg":"store migrated (auto_migrate)"`, `"from":0`, `"to":1`)
	srv.stop()
	if out := e.ok("", "migrate"); !strings.Contains(out, "at format 1: nothing to migrate") {
		t.Fatalf("migrate after auto_migrate: %q", out)
	}

	// A newer format is refused by every command, auto_migrate or not.
	badgertest.SetFormat(t, e.dataDir, 2)
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"backup", e.dir + "/newer.backup"}, {"user", "list"}} {
		r := e.run("", args...)
		if r.code != 1 {
			t.Fatalf("%v on a newer store: exit %d %s", args, r.code, r.stderr)
		}
		mustSay(t, strings.Join(args, " ")+"'s refusal", r.stderr, e.dataDir, "store format 2", "knows formats up to 1",
			"newer release", "restore a backup")
	}
}
