package pgtest

import (
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/postgres"
)

// DSNEnv names the variable holding the test server's DSN (a role that may create schemas).
const DSNEnv = "ASSENTRY_TEST_POSTGRES_DSN"

// DSN returns the test server's DSN, skipping t when there is none (failing it under CI=true).
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(DSNEnv)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must provide a PostgreSQL server", DSNEnv)
		}
		t.Skipf("%s is not set: set it to a PostgreSQL server's DSN (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run the PostgreSQL tests", DSNEnv)
	}
	return dsn
}

// New opens the PostgreSQL store in a fresh schema of the test server, with the given clock (nil: time.Now).
// The store is closed and the schema dropped when t ends.
func New(t testing.TB, clock store.Clock) store.Store {
	t.Helper()
	dsn := DSN(t)
	st, err := postgres.Open(context.Background(), postgres.Options{DSN: Schema(t, dsn, "pgtest_"+strings.ToLower(rand.Text()[:16])), MaxConns: 4,
		Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() }) // runs before the schema is dropped (cleanups run last first)
	return st
}

// Schema creates schema on the test server at dsn, dropped when t ends, and returns a DSN whose sessions use it.
func Schema(t testing.TB, dsn, schema string) string {
	t.Helper()
	Exec(t, dsn, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { Exec(t, dsn, "DROP SCHEMA "+schema+" CASCADE") })
	return WithSearchPath(dsn, schema)
}

// WithSearchPath returns dsn with its sessions' search_path set to schema.
func WithSearchPath(dsn, schema string) string {
	if strings.Contains(dsn, "://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

// Exec runs one statement on its own connection.
func Exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
