package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// otherKEK is a key_encryption_key other than testKEK (32 bytes in base64).
const otherKEK = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="

// TestConfigCheckStoredKeys: config check opens the store read-only and checks that the configured
// key_encryption_key opens the signing keys a first serve sealed, naming the host and the key when it does not
// (where serve would exit 1), and changing nothing in the data directory; while the server holds the store it
// says the keys were not checked.
func TestConfigCheckStoredKeys(t *testing.T) {
	e := newCLIEnv(t)
	base, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	withKEK := func(kek string) {
		if err := os.WriteFile(e.config, append(append([]byte(nil), base...), "key_encryption_key: "+kek+"\n"...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	withKEK(testKEK)
	srv := e.startServer()
	if r := e.run("", "config", "check"); r.code != 0 || !strings.Contains(r.stdout, "signing keys not checked: the server holds the store") {
		t.Fatalf("config check while serving: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	srv.stop()
	kid := regexp.MustCompile(`"kid":\s*"([^"]+)"`).FindStringSubmatch(e.ok("", "keys", "list", "--json"))
	if kid == nil {
		t.Fatal("no signing key listed after a first serve")
	}

	withKEK(otherKEK)
	before := treeOf(t, e.dataDir)
	r := e.run("", "config", "check")
	if r.code != 2 || !strings.Contains(r.stderr, "key_encryption_key: host default: signing key "+kid[1]+" cannot be decrypted") {
		t.Fatalf("config check with another key_encryption_key: exit %d, want 2 naming host and key %s\nstdout: %s\nstderr: %s",
			r.code, kid[1], r.stdout, r.stderr)
	}
	sameTree(t, before, treeOf(t, e.dataDir))
	if r := e.run("", "serve"); r.code != 1 || !strings.Contains(r.stderr, "cannot be decrypted") {
		t.Fatalf("serve with another key_encryption_key: exit %d, want 1 (what config check predicts)\n%s", r.code, r.stderr)
	}

	withKEK(testKEK)
	before = treeOf(t, e.dataDir)
	r = e.run("", "config", "check")
	if r.code != 0 || !regexp.MustCompile(`; [1-9]\d* stored signing keys? open\n`).MatchString(r.stdout) {
		t.Fatalf("config check with the key_encryption_key of the keys: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	sameTree(t, before, treeOf(t, e.dataDir))
	if len(treeOf(t, e.dataDir)) != len(before) {
		t.Fatal("config check removed a file of the data directory")
	}
}

// TestConfigCheckStoredKeysPostgres: on PostgreSQL config check leaves an empty database without a schema (it
// reads in read-only sessions), checks the keys while a server runs (nothing holds the database), and names the
// host and key that another key_encryption_key does not open.
func TestConfigCheckStoredKeysPostgres(t *testing.T) {
	dsn := postgresDB(t)
	e := newCLIEnv(t)
	base := string(mustRead(t, e.config)) + "store: {backend: postgres, dsn: '" + dsn + "'}\n"
	withKEK := func(kek string) {
		if err := os.WriteFile(e.config, []byte(base+"key_encryption_key: "+kek+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	withKEK(testKEK)
	if r := e.run("", "config", "check"); r.code != 0 || !strings.Contains(r.stdout, "; no store yet: the database holds no schema\n") {
		t.Fatalf("config check on an empty database: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	c, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	var tables int
	err = c.QueryRow(t.Context(), `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables)
	c.Close(t.Context())
	if err != nil || tables != 0 {
		t.Fatalf("config check created %d tables in an empty database (%v)", tables, err)
	}

	srv := e.startServer()
	defer srv.stop()
	if r := e.run("", "config", "check"); r.code != 0 || !regexp.MustCompile(`; [1-9]\d* stored signing keys? open\n`).MatchString(r.stdout) {
		t.Fatalf("config check while serving: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	withKEK(otherKEK)
	if r := e.run("", "config", "check"); r.code != 2 ||
		!regexp.MustCompile(`key_encryption_key: host default: signing key \S+ cannot be decrypted`).MatchString(r.stderr) {
		t.Fatalf("config check with another key_encryption_key: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}
