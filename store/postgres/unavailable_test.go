package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/tcpproxy"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/postgres"
)

// operations returns one operation of each kind the store runs, on records of round r (so that every round
// starts from records that are live and unused): reads, single statements, one-round-trip transactions, the
// two-round-trip redemption and rotation, a pipelined batch, and a statement of writable CTEs.
func operations(s store.Store, f fixtures, r int) []struct {
	name string
	run  func(ctx context.Context) error
} {
	id := func(kind string) string { return fmt.Sprintf("%s-%d", kind, r) }
	return []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Tokens.Get", func(ctx context.Context) error { _, err := s.Tokens().Get(ctx, f.host, id("rt")); return err }},
		{"Users.List", func(ctx context.Context) error { _, err := s.Users().List(ctx, f.host); return err }},
		{"Sessions.Put", func(ctx context.Context) error {
			return s.Sessions().Put(ctx, &store.Session{ID: id("s"), Host: f.host, UserID: "u", CreatedAt: f.now, ExpiresAt: f.now.Add(time.Hour)})
		}},
		{"Grants.Create", func(ctx context.Context) error {
			return s.Grants().Create(ctx, f.grant(id("new")), f.token(id("new-at"), id("new"), store.AccessToken))
		}},
		{"Codes.Consume", func(ctx context.Context) error {
			_, err := s.Codes().Consume(ctx, f.host, id("code"), f.token(id("code-at"), id("g"), store.AccessToken))
			return err
		}},
		{"Tokens.Rotate", func(ctx context.Context) error {
			_, err := s.Tokens().Rotate(ctx, f.host, id("rt"), f.token(id("rt2"), id("g"), store.RefreshToken))
			return err
		}},
		{"Interactions.Consume", func(ctx context.Context) error { _, err := s.Interactions().Consume(ctx, f.host, id("x")); return err }},
		{"Users.Delete", func(ctx context.Context) error { return s.Users().Delete(ctx, f.host, id("user")) }},
		{"Grants.Revoke", func(ctx context.Context) error { return s.Grants().Revoke(ctx, f.host, id("g")) }},
	}
}

// prepare stores the records operations(r) works on.
func prepare(t *testing.T, s store.Store, f fixtures, r int) {
	t.Helper()
	ctx := t.Context()
	id := func(kind string) string { return fmt.Sprintf("%s-%d", kind, r) }
	for _, err := range []error{
		s.Codes().Put(ctx, f.code(id("code"), id("g")), f.grant(id("g"))),
		s.Tokens().Put(ctx, f.token(id("rt"), id("g"), store.RefreshToken)),
		s.Interactions().Put(ctx, &store.Interaction{ID: id("x"), Host: f.host, CreatedAt: f.now, ExpiresAt: f.now.Add(time.Hour)}),
		s.Users().Create(ctx, &store.User{ID: id("user"), Host: f.host, Username: id("name")}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// hangLimit is how long an operation may take before the test calls it hung: far beyond the connect timeout,
// so that it detects a missing bound, not a slow machine.
const hangLimit = time.Minute

// within runs fn and returns its error, failing the test if fn has not returned after hangLimit. fn's context
// has no deadline: the store's own bounds (the connect timeout, the closed connection) must end it.
func within(t *testing.T, fn func(ctx context.Context) error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn(context.Background()) }()
	select {
	case err := <-done:
		return err
	case <-time.After(hangLimit):
		t.Fatalf("no answer after %v", hangLimit)
		return nil
	}
}

// TestUnavailable cuts the database away from a store through a proxy: while the proxy refuses connections,
// and while it accepts them but never answers, every kind of operation fails with store.ErrUnavailable (bounded
// by the connect timeout, not by the caller's context); once the proxy forwards again, the same store serves
// every operation, without a restart.
func TestUnavailable(t *testing.T) {
	dsn := testDSN(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	schemaDSN := freshSchema(t, dsn, t.TempDir())
	u, err := url.Parse(schemaDSN)
	if err != nil {
		t.Fatal(err)
	}
	p := tcpproxy.New(t, u.Host)
	s, err := postgres.Open(t.Context(), postgres.Options{DSN: p.Via(schemaDSN), MaxConns: 4, Clock: func() time.Time { return now },
		Logger: quiet, ConnectTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	f := fixtures{host: "h", now: now}

	serves := func(r int) {
		t.Helper()
		prepare(t, s, f, r)
		for _, op := range operations(s, f, r) {
			if err := within(t, op.run); err != nil {
				t.Errorf("round %d: %s: %v", r, op.name, err)
			}
		}
	}
	fails := func(r int, how string) {
		t.Helper()
		for _, op := range operations(s, f, r) {
			err := within(t, op.run)
			if !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%s: %s: %v, want store.ErrUnavailable", how, op.name, err)
			}
		}
	}

	serves(0)
	p.Cut()
	fails(1, "connections refused")
	p.Restore()
	serves(1)
	p.Hang()
	fails(2, "database not answering")
	p.Restore()
	serves(2)
}

// TestUnavailableMidTransaction cuts the connection inside a redemption, after its first round trip (BEGIN and
// the row locks). Cut before the second round trip is sent, nothing was committed and nothing of the batch was
// sent, so the transaction runs again on a new connection and succeeds (and the code is then used). Cut right
// after it was sent, the COMMIT's outcome is unknown: store.ErrUnavailable, and no retry.
func TestUnavailableMidTransaction(t *testing.T) {
	dsn := testDSN(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var writes atomic.Int64
	var cutAt atomic.Int64 // the write (counted from 1) at which the connection is closed; 0: never
	var afterWrite atomic.Bool
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return cuttingConn{Conn: c, writes: &writes, cutAt: &cutAt, after: &afterWrite}, nil
	}
	o := postgres.WithDialer(postgres.Options{DSN: freshSchema(t, dsn, t.TempDir()), MaxConns: 1,
		Clock: func() time.Time { return now }, Logger: quiet}, dial)
	s, err := postgres.Open(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx, f := t.Context(), fixtures{host: "h", now: now}
	consume := func(code string) error {
		_, err := s.Codes().Consume(ctx, f.host, code, f.token(code+"-at", "g-"+code, store.AccessToken))
		return err
	}
	for _, code := range []string{"warm", "before", "after"} {
		if err := s.Codes().Put(ctx, f.code(code, "g-"+code), f.grant("g-"+code)); err != nil {
			t.Fatal(err)
		}
	}
	if err := consume("warm"); err != nil { // prepares the statements, so the next redemption is two writes
		t.Fatal(err)
	}

	cut := func(code string, after bool) error {
		writes.Store(0)
		cutAt.Store(2)
		afterWrite.Store(after)
		defer cutAt.Store(0)
		return consume(code)
	}
	if err := cut("before", false); err != nil {
		t.Errorf("cut before the second round trip: %v, want the transaction run again on a new connection", err)
	}
	if n := writes.Load(); n < 4 {
		t.Errorf("cut before the second round trip: %d writes, want the connection's 2 and a new one's", n)
	}
	if err := consume("before"); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Errorf("the code redeemed by the retry: %v, want store.ErrAlreadyUsed", err)
	}
	if err := cut("after", true); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("cut after the second round trip: %v, want store.ErrUnavailable", err)
	}
	if err := consume("warm"); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Errorf("after the cut: %v, want the store serving (store.ErrAlreadyUsed)", err)
	}
}

// cuttingConn closes itself at write number cutAt: before sending it, or, with after, right after.
type cuttingConn struct {
	net.Conn
	writes, cutAt *atomic.Int64
	after         *atomic.Bool
}

func (c cuttingConn) Write(b []byte) (int, error) {
	if n := c.writes.Add(1); n != c.cutAt.Load() {
		return c.Conn.Write(b)
	}
	if !c.after.Load() {
		_ = c.Conn.Close()
		return c.Conn.Write(b)
	}
	n, err := c.Conn.Write(b)
	_ = c.Conn.Close()
	return n, err
}
