package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

// Observing. Options.Observer is told of every operation as the metrics count them on Badger: a write (store.
// OpWrite) is one transaction from its first attempt to its commit, retries included, and its commit is a commit
// of one write (PostgreSQL has no group commit: a commit's batch size is always 1), timed as the round trip that
// carried COMMIT (for a write sent as one batch, BEGIN … COMMIT, that is the whole batch); a read
// (store.OpRead) is one statement outside a transaction. Writes are timed where they run (write, batch, tx);
// reads by a pgx query tracer, since every read method runs its own statement on the pool. A statement outside
// a transaction that is not a SELECT is a write of its own (an UPDATE or DELETE with no read before it) and is
// counted as one, with its commit.

// observeWrite times one write operation run by do; it is do itself when there is no Observer.
func (s *Store) observeWrite(do func() error) error {
	if s.obs == nil {
		return do()
	}
	start := time.Now()
	err := do()
	took := time.Since(start)
	s.obs.StoreOp(store.OpWrite, took)
	return err
}

// committed reports one committed transaction that took took, to the Observer if there is one.
func (s *Store) committed(took time.Duration) {
	if s.obs != nil {
		s.obs.StoreCommit(1, took)
	}
}

// readTracer times the statements the pool runs outside a transaction (pgx.QueryTracer).
type readTracer struct{ obs store.Observer }

// traced is what TraceQueryStart hands TraceQueryEnd: when the statement began and whether it only reads.
type traced struct {
	start time.Time
	read  bool
}

// tracedKey is the context key of a traced statement.
type tracedKey struct{}

func (t readTracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	word := firstWord(data.SQL)
	if conn.PgConn().TxStatus() != 'I' || word == "begin" {
		return ctx // a statement of a transaction: timed as its write
	}
	return context.WithValue(ctx, tracedKey{}, traced{start: time.Now(), read: word == "select"})
}

func (t readTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	tr, ok := ctx.Value(tracedKey{}).(traced)
	if !ok {
		return
	}
	took := time.Since(tr.start)
	if tr.read {
		t.obs.StoreOp(store.OpRead, took)
		return
	}
	t.obs.StoreOp(store.OpWrite, took)
	if data.Err == nil {
		t.obs.StoreCommit(1, took)
	}
}

// firstWord is the first keyword of a statement, lower case: "select", "update", "with", ...
func firstWord(sql string) string {
	sql = strings.TrimSpace(sql)
	if i := strings.IndexAny(sql, " \t\n("); i >= 0 {
		sql = sql[:i]
	}
	return strings.ToLower(sql)
}
