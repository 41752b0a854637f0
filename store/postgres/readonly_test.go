package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/postgres"
)

// TestReadOnly: a read-only Open gives an empty database no schema (ErrNoSchema, and the schema stays empty),
// reads a database that has one, and PostgreSQL refuses its writes.
func TestReadOnly(t *testing.T) {
	dsn, dir := testDSN(t), t.TempDir()
	ctx := t.Context()
	empty := freshSchema(t, dsn, dir)
	if _, err := postgres.Open(ctx, postgres.Options{DSN: empty, ReadOnly: true, Logger: quiet}); !errors.Is(err, postgres.ErrNoSchema) {
		t.Fatalf("read-only Open of an empty database: %v, want ErrNoSchema", err)
	}
	if n := tables(t, empty); n != 0 {
		t.Fatalf("read-only Open created %d tables", n)
	}

	s := open(t, dsn, dir, nil)
	k := &store.Key{Host: "h", ID: "k1", Use: "sig", CreatedAt: time.Now(), Private: []byte{1, 2}}
	if err := s.Keys().Create(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := postgres.Open(ctx, postgres.Options{DSN: empty, ReadOnly: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got, err := ro.Keys().List(ctx, "h", "sig"); err != nil || len(got) != 1 || got[0].ID != "k1" {
		t.Fatalf("List on a read-only store = %v, %v; want k1", got, err)
	}
	if err := ro.Keys().Delete(ctx, "h", "k1"); err == nil {
		t.Fatal("a read-only store deleted a key")
	}
	if got, err := ro.Keys().List(ctx, "h", "sig"); err != nil || len(got) != 1 {
		t.Fatalf("List after the refused Delete = %v, %v; want k1 still", got, err)
	}
}

// tables counts the tables of the schema dsn's sessions use.
func tables(t *testing.T, dsn string) int {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int
	if err := c.QueryRow(context.Background(), `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
