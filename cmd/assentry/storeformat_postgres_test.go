package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	pgstore "github.com/assentry/assentry/store/postgres"
)

// TestStoreFormatUpgradePostgres is TestStoreFormatUpgrade on PostgreSQL, through the binary: a schema one
// migration behind is refused by serve (with pg_dump as the way to back it up), migrated by `assentry migrate`
// from a machine with no data directory, migrated at start with auto_migrate, and a newer one refused by all.
func TestStoreFormatUpgradePostgres(t *testing.T) {
	dsn := postgresDB(t)
	steps := pgstore.Steps()
	last := steps[len(steps)-1]
	// Undoing the last migration by hand: this test knows what 0004 created. A new migration must teach it how
	// to undo that one instead.
	if last.From != 3 || last.To != 4 {
		t.Fatalf("the last PostgreSQL migration is now %s: update the downgrade below", last)
	}
	downgrade := "DROP TABLE dpop_jtis; UPDATE assentry_schema SET version = 3"
	sql := func(stmt string) {
		t.Helper()
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}

	e := newCLIEnv(t)
	e.appendConfig(sharedStore(dsn, ""))
	if err := os.RemoveAll(e.dataDir); err != nil {
		t.Fatal(err)
	}
	e.ok("correct horse battery\n", "user", "add", "alice", "--password-stdin")
	if out := e.ok("", "migrate"); !strings.Contains(out, "at format 4: nothing to migrate") {
		t.Fatalf("migrate on a new database: %q", out)
	}
	sql(downgrade)

	r := e.run("", "serve")
	if r.code != 1 {
		t.Fatalf("serve on an unmigrated database: exit %d\n%s", r.code, r.stderr)
	}
	mustSay(t, "serve's refusal", r.stderr, "the PostgreSQL database", "needs migrating from format 3 to 4",
		"3 → 4: "+last.Description, "pg_dump", "assentry migrate --config "+e.config, "auto_migrate: true")
	if strings.Contains(r.stderr, "(assentry backup FILE)") {
		t.Fatalf("the refusal points a PostgreSQL store at assentry backup, which refuses it:\n%s", r.stderr)
	}

	out := e.ok("", "migrate")
	mustSay(t, "migrate", out, "migrated 3 → 4", "is now at format 4 (was 3)")
	if _, err := os.Stat(e.dataDir); !os.IsNotExist(err) {
		t.Fatalf("migrate on PostgreSQL made a local data directory: %v", err)
	}
	srv := e.startServer()
	if !loginOverHTTP(t, "http://"+e.addr, "alice", "correct horse battery") {
		t.Fatal("the migrated database lost its user")
	}
	srv.stop()

	sql(downgrade)
	e.appendConfig("auto_migrate: true\n")
	srv = e.startServer()
	mustSay(t, "the server's log", srv.log.String(), `"msg":"store migrated (auto_migrate)"`, `"from":3`, `"to":4`)
	srv.stop()

	sql("UPDATE assentry_schema SET version = 5")
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"user", "list"}} {
		r := e.run("", args...)
		if r.code != 1 {
			t.Fatalf("%v on a newer database: exit %d %s", args, r.code, r.stderr)
		}
		mustSay(t, strings.Join(args, " ")+"'s refusal", r.stderr, "store format 5", "knows formats up to 4", "newer release")
	}
}
