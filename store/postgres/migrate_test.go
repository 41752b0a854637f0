package postgres_test

import (
	"errors"
	"testing"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/postgres"
)

func TestMigrations(t *testing.T) {
	dsn := testDSN(t)
	dir := t.TempDir()
	s := open(t, dsn, dir, nil)
	ctx := t.Context()
	if err := store.CheckSteps(postgres.Steps(), s.CurrentFormat()); err != nil {
		t.Fatal(err)
	}
	if v, err := s.FormatVersion(ctx); err != nil || v != s.CurrentFormat() {
		t.Fatalf("FormatVersion of a new database = %d, %v; want %d", v, err, s.CurrentFormat())
	}
	if p, err := s.Pending(ctx); err != nil || len(p) != 0 {
		t.Fatalf("Pending of a new database = %v, %v; want none", p, err)
	}
	if ran, err := s.Migrate(ctx); err != nil || len(ran) != 0 {
		t.Fatalf("Migrate of a current database ran %v, %v; want nothing", ran, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A schema from a newer release is refused at open.
	exec(t, freshSchema(t, dsn, dir), "UPDATE assentry_schema SET version = version + 1")
	_, err := postgres.Open(ctx, postgres.Options{DSN: freshSchema(t, dsn, dir)})
	var fe *store.FormatError
	if !errors.As(err, &fe) || fe.Found != fe.Current+1 {
		t.Fatalf("Open of a newer schema: %v, want a *store.FormatError", err)
	}
}

func TestSkipMessage(t *testing.T) {
	t.Setenv(dsnEnv, "")
	t.Setenv("CI", "")
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		testDSN(t)
	})
	if !skipped {
		t.Error("without a DSN the tests do not skip")
	}
}
