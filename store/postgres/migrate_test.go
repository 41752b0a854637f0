package postgres_test

import (
	"errors"
	"fmt"
	"sync"
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

	// A schema of format 1 (as the first release left it) opens, lists the steps from 1 on, and migrates.
	exec(t, freshSchema(t, dsn, dir), "DROP TABLE assentry_instances, assentry_leases, dpop_jtis; DROP INDEX sessions_expires, consents_expires, "+
		"grants_expires, tokens_expires, codes_expires, device_codes_expires, keys_expires, interactions_expires, "+
		"admin_tokens_expires; UPDATE assentry_schema SET version = 1")
	s = open(t, dsn, dir, nil)
	if p, err := s.Pending(ctx); err != nil || len(p) != s.CurrentFormat()-1 || p[0].From != 1 {
		t.Fatalf("Pending of a format 1 schema = %v, %v; want the steps from 1 → 2 on", p, err)
	}
	if ran, err := s.Migrate(ctx); err != nil || len(ran) != s.CurrentFormat()-1 {
		t.Fatalf("Migrate of a format 1 schema ran %v, %v; want every step from 1 on", ran, err)
	}
	if v, err := s.FormatVersion(ctx); err != nil || v != s.CurrentFormat() {
		t.Fatalf("FormatVersion after Migrate = %d, %v", v, err)
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

// TestConcurrentOpen opens one empty database from several instances at once: each step runs once, and every
// instance opens on the current schema.
func TestConcurrentOpen(t *testing.T) {
	dsn := freshSchema(t, testDSN(t), t.TempDir())
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), postgres.Options{DSN: dsn, MaxConns: 2, Logger: quiet})
			if err == nil {
				var p []store.Step
				p, err = s.Pending(t.Context())
				if err == nil && len(p) > 0 {
					err = fmt.Errorf("pending after open: %v", p)
				}
				_ = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}
