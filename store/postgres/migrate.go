package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/assentry/assentry/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one step of the schema, from format From to From+1: an embedded SQL file.
type migration struct {
	step store.Step
	file string
}

// migrations lists every step in order; store.CheckSteps verifies the chain in the tests. A step runs in the
// transaction that records its version, so an interrupted step leaves nothing behind and runs again whole.
var migrations = []migration{
	{store.Step{From: 0, To: 1, Description: "create the schema (one table per entity)"}, "migrations/0001_schema.sql"},
	{store.Step{From: 1, To: 2, Description: "index expiry and add the lease table, for the sweep of expired rows"}, "migrations/0002_sweep.sql"},
	{store.Step{From: 2, To: 3, Description: "add the instance table, where each server announces its static clients"}, "migrations/0003_instances.sql"},
	{store.Step{From: 3, To: 4, Description: "add the jti records of DPoP proofs (replay protection)"}, "migrations/0004_dpop_jti.sql"},
}

// currentFormat is the format this build writes.
var currentFormat = migrations[len(migrations)-1].step.To

// versionTable holds the schema's format in its single row. It is created outside the migrations, as the
// place where they record their progress.
const versionTable = `CREATE TABLE IF NOT EXISTS assentry_schema (
    id      integer NOT NULL PRIMARY KEY CHECK (id = 1),
    version integer NOT NULL
)`

// CurrentFormat is the schema format this build writes.
func (s *Store) CurrentFormat() int { return currentFormat }

// FormatVersion is the schema's format as recorded in the database; 0 when it has none yet.
func (s *Store) FormatVersion(ctx context.Context) (int, error) {
	q, err := s.db()
	if err != nil {
		return 0, err
	}
	var v int
	err = q.QueryRow(ctx, `SELECT version FROM assentry_schema WHERE id = 1`).Scan(&v)
	var pe interface{ SQLState() string }
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, nil
	case errors.As(err, &pe) && pe.SQLState() == "42P01": // undefined_table: nothing created yet
		return 0, nil
	}
	return v, wrap(err)
}

// Pending lists the steps from the recorded format to the current one.
func (s *Store) Pending(ctx context.Context) ([]store.Step, error) {
	v, err := s.FormatVersion(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Step
	for _, m := range migrations {
		if m.step.From >= v {
			out = append(out, m.step)
		}
	}
	return out, nil
}

// Migrate runs the pending steps, each in its own transaction that also records its version. The version row
// is locked (SELECT … FOR UPDATE) while a step runs, so instances migrating at once run each step once: the
// others wait, then see it done. PostgreSQL runs DDL in transactions; CockroachDB runs schema changes in a
// transaction too, but commits them asynchronously — there, run `assentry migrate` from one instance.
func (s *Store) Migrate(ctx context.Context) ([]store.Step, error) {
	q, err := s.db()
	if err != nil {
		return nil, err
	}
	if err := createVersionTable(ctx, q); err != nil {
		return nil, err
	}
	if _, err := q.Exec(ctx, `INSERT INTO assentry_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`); err != nil {
		return nil, wrap(err)
	}
	var ran []store.Step
	for _, m := range migrations {
		sql, err := migrationFS.ReadFile(m.file)
		if err != nil {
			return ran, fmt.Errorf("postgres: %w", err)
		}
		done := false
		err = s.tx(ctx, func(tx pgx.Tx) error {
			var v int
			if err := tx.QueryRow(ctx, `SELECT version FROM assentry_schema WHERE id = 1 FOR UPDATE`).Scan(&v); err != nil {
				return err
			}
			if v != m.step.From {
				return nil // done before (by us or another instance), or not yet reachable
			}
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", m.step, err)
			}
			done = true
			_, err := tx.Exec(ctx, `UPDATE assentry_schema SET version = $1 WHERE id = 1`, m.step.To)
			return err
		})
		if err != nil {
			return ran, err
		}
		if done {
			ran = append(ran, m.step)
		}
	}
	return ran, nil
}

// ErrNoSchema is Open's error with Options.ReadOnly on a database without assentry's schema (a server never
// opened it): there is nothing to read, and a read-only open does not create the schema.
var ErrNoSchema = errors.New("postgres: the database holds no assentry schema")

// checkFormat is Open's check: an empty database gets the current schema, a newer one is refused.
func (s *Store) checkFormat(ctx context.Context) error {
	v, err := s.FormatVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case v > currentFormat:
		return &store.FormatError{Where: s.where, Found: v, Current: currentFormat}
	case v == 0 && s.readOnly:
		return fmt.Errorf("%w: %s", ErrNoSchema, s.where)
	case v == 0:
		if _, err := s.Migrate(ctx); err != nil {
			return err
		}
		s.log.Info("postgres: created the schema", "format", currentFormat)
	}
	return nil
}

// Steps lists every migration this build knows, from format 0, for `assentry migrate` and the tests.
func Steps() []store.Step {
	out := make([]store.Step, len(migrations))
	for i, m := range migrations {
		out[i] = m.step
	}
	return out
}

// createVersionTable creates the version table unless it exists. Two sessions running CREATE TABLE IF NOT EXISTS
// at once can both miss the table, and one then fails (duplicate_object, duplicate_table, or unique_violation on
// the catalog's pg_type index); the table exists by then, so the statement is run again.
func createVersionTable(ctx context.Context, q querier) error {
	var err error
	for range 3 {
		_, err = q.Exec(ctx, versionTable)
		var pe *pgconn.PgError
		if err == nil || !errors.As(err, &pe) || (pe.Code != "42710" && pe.Code != "42P07" && pe.Code != "23505") {
			break
		}
	}
	return wrap(err)
}
