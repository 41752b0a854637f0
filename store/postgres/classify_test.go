package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/assentry/assentry/store"
)

// TestWrap checks which driver errors become store.ErrUnavailable (the database cannot be reached or kept:
// 503), which become ErrConflict, which stay errors of their own (500), and after which a transaction is run
// again.
func TestWrap(t *testing.T) {
	pg := func(code string) error { return &pgconn.PgError{Code: code, Message: "m"} }
	// A real failed connection: nothing listens on a port just closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()
	_, refused := pgconn.Connect(t.Context(), "postgres://someone@"+closed+"/somedb?sslmode=disable")
	tests := []struct {
		name        string
		err         error
		unavailable bool
		conflict    bool
		retry       bool
	}{
		{name: "unique violation", err: pg("23505"), conflict: true},
		{name: "syntax error", err: pg("42601")},
		{name: "undefined table", err: pg("42P01")},
		{name: "decode error", err: errors.New("postgres: decode: bad json")},
		{name: "connection exception", err: pg("08006"), unavailable: true},
		{name: "too many connections", err: pg("53300"), unavailable: true},
		{name: "disk full", err: pg("53100"), unavailable: true},
		{name: "statement timeout", err: pg("57014"), unavailable: true},
		{name: "admin shutdown", err: pg("57P01"), unavailable: true},
		{name: "crash shutdown", err: pg("57P02"), unavailable: true},
		{name: "cannot connect now", err: pg("57P03"), unavailable: true},
		{name: "serialization failure", err: pg("40001"), unavailable: true, retry: true},
		{name: "deadlock", err: pg("40P01"), unavailable: true, retry: true},
		{name: "connect error", err: refused, unavailable: true},
		{name: "deadline", err: fmt.Errorf("acquire: %w", context.DeadlineExceeded), unavailable: true},
		{name: "unexpected EOF", err: fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), unavailable: true},
		{name: "closed conn", err: fmt.Errorf("x: %w", pgconn.ErrConnClosed), unavailable: true},
		{name: "net error", err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, unavailable: true},
		{name: "canceled by the caller", err: context.Canceled},
		{name: "canceled while a connection timed out", err: fmt.Errorf("x: %w: %w", context.Canceled, &net.OpError{Op: "read", Err: errors.New("i/o timeout")})},
		{name: "session ended (idle in transaction)", err: pg("25P03"), unavailable: true},
		{name: "session ended (idle session)", err: pg("57P05"), unavailable: true},
		{name: "read-only standby after a failover", err: pg("25006"), unavailable: true},
		{name: "I/O error", err: pg("58030"), unavailable: true},
		{name: "lock timeout", err: pg("55P03"), unavailable: true},
		{name: "statement completion unknown (CockroachDB)", err: pg("40003"), unavailable: true},
		{name: "invalid byte sequence", err: pg("22021")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.err)
			if errors.Is(got, store.ErrUnavailable) != tt.unavailable {
				t.Errorf("wrap(%v) = %v: unavailable %v, want %v", tt.err, got, !tt.unavailable, tt.unavailable)
			}
			if errors.Is(got, store.ErrConflict) != tt.conflict {
				t.Errorf("wrap(%v) = %v: conflict %v, want %v", tt.err, got, !tt.conflict, tt.conflict)
			}
			if again := wrap(got); again.Error() != got.Error() {
				t.Errorf("wrap is not idempotent: %v, then %v", got, again)
			}
			if tt.unavailable && (strings.Contains(got.Error(), "someone") || strings.Contains(got.Error(), closed)) {
				t.Errorf("wrap(%v) = %v: names the user or the address", tt.err, got)
			}
			if retryable(got) != tt.retry {
				t.Errorf("retryable(%v) = %v, want %v", got, !tt.retry, tt.retry)
			}
		})
	}
}
