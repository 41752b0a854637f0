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

// TestRetrySerializationFailure makes the server abort a code redemption with 40001 (serialization_failure, what
// CockroachDB reports where PostgreSQL's read committed waits for a lock): a trigger on the codes table, created
// for the test only, raises it while a budget lasts and counts the attempts in a sequence, which a rollback does
// not undo. Aborted once, the redemption is run again and succeeds; aborted every time, it gives up after three
// attempts with store.ErrUnavailable and leaves the code unused.
func TestRetrySerializationFailure(t *testing.T) {
	dsn := testDSN(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	schemaDSN := freshSchema(t, dsn, t.TempDir())
	s, err := postgres.Open(t.Context(), postgres.Options{DSN: schemaDSN, MaxConns: 2, Clock: func() time.Time { return now }, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for _, sql := range []string{
		`CREATE SEQUENCE attempts`,
		`CREATE TABLE abort_budget (n bigint NOT NULL)`,
		`INSERT INTO abort_budget VALUES (0)`,
		`CREATE FUNCTION abort_while_budget() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF nextval('attempts') <= (SELECT n FROM abort_budget) THEN
				RAISE EXCEPTION 'injected serialization failure' USING ERRCODE = '40001';
			END IF;
			RETURN NEW;
		END $$`,
		`CREATE TRIGGER abort_redemption BEFORE UPDATE ON codes FOR EACH ROW EXECUTE FUNCTION abort_while_budget()`,
	} {
		exec(t, schemaDSN, sql)
	}
	ctx, f := t.Context(), fixtures{host: "h", now: now}
	attempts := func() int64 {
		t.Helper()
		c, err := pgx.Connect(context.Background(), schemaDSN)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		var n int64
		if err := c.QueryRow(ctx, `SELECT last_value FROM attempts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, code := range []string{"once", "always"} {
		if err := s.Codes().Put(ctx, f.code(code, "g-"+code), f.grant("g-"+code)); err != nil {
			t.Fatal(err)
		}
	}

	exec(t, schemaDSN, `UPDATE abort_budget SET n = 1`)
	if _, err := s.Codes().Consume(ctx, f.host, "once", f.token("once-at", "g-once", store.AccessToken)); err != nil {
		t.Fatalf("redemption aborted once: %v, want it run again and redeemed", err)
	}
	if n := attempts(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
	if _, err := s.Tokens().Get(ctx, f.host, "once-at"); err != nil {
		t.Errorf("the token of the retried redemption: %v", err)
	}

	exec(t, schemaDSN, `UPDATE abort_budget SET n = 1000`)
	_, err = s.Codes().Consume(ctx, f.host, "always", f.token("always-at", "g-always", store.AccessToken))
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("redemption aborted every time: %v, want store.ErrUnavailable", err)
	}
	if n := attempts(); n != 5 {
		t.Errorf("%d attempts in all, want 2 and then 3", n)
	}
	if _, err := s.Codes().Get(ctx, f.host, "always"); err != nil {
		t.Errorf("the code whose redemption gave up: %v, want it live and unused", err)
	}
	if _, err := s.Tokens().Get(ctx, f.host, "always-at"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the token of the redemption that gave up: %v, want store.ErrNotFound", err)
	}
}
