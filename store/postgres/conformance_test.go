package postgres_test

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"testing"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/postgres"
	"github.com/assentry/assentry/store/postgres/pgtest"
	"github.com/assentry/assentry/store/storetest"
)

// dsnEnv names the variable holding the test server's DSN. CI sets it (.ci/run starts a throwaway cluster);
// locally the tests skip without it.
const dsnEnv = pgtest.DSNEnv

// testDSN returns the test server's DSN, skipping the test when there is none (failing it under CI=true).
func testDSN(t testing.TB) string { return pgtest.DSN(t) }

// schemas maps each data set the suite names (a directory) to its schema, created once and dropped when the
// test that created it ends.
var schemas sync.Map

// withSearchPath returns dsn with its sessions' search_path set to schema.
func withSearchPath(dsn, schema string) string { return pgtest.WithSearchPath(dsn, schema) }

// freshSchema creates the schema of data set dir on its first use (dropped at the end of t) and returns a DSN
// whose sessions use it.
func freshSchema(t testing.TB, dsn, dir string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(dir))
	schema := "storetest_" + hex.EncodeToString(sum[:8])
	if _, loaded := schemas.LoadOrStore(dir, schema); !loaded {
		return pgtest.Schema(t, dsn, schema)
	}
	return withSearchPath(dsn, schema)
}

// exec runs one statement on its own connection.
func exec(t testing.TB, dsn, sql string) { pgtest.Exec(t, dsn, sql) }

// open is the suite's Opener: each data set is a schema of the test database.
func open(t *testing.T, dsn, dir string, clock store.Clock) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Options{DSN: freshSchema(t, dsn, dir), MaxConns: 4, Clock: clock, Logger: quiet})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// twoStores opens two stores (two pools, as two instances have) on one fresh schema; the test's cleanup closes
// them.
func twoStores(t *testing.T, clock store.Clock) (a, b *postgres.Store) {
	t.Helper()
	dsn, dir := testDSN(t), t.TempDir()
	a, b = open(t, dsn, dir, clock), open(t, dsn, dir, clock)
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	return a, b
}

func TestConformance(t *testing.T) {
	dsn := testDSN(t)
	storetest.Run(t, func(t *testing.T, dir string, clock store.Clock) store.Store { return open(t, dsn, dir, clock) })
}

// quiet drops the backend's messages (each fresh schema logs its creation).
var quiet = slog.New(slog.DiscardHandler)
