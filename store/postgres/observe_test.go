package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/postgres"
)

// countingObserver counts what a store reports: operations by kind, and commits with the writes they carried.
type countingObserver struct {
	mu                              sync.Mutex
	reads, writes, commits, carried int
}

func (o *countingObserver) StoreOp(kind string, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch kind {
	case store.OpRead:
		o.reads++
	case store.OpWrite:
		o.writes++
	default:
		panic("unknown operation kind " + kind)
	}
}

func (o *countingObserver) StoreCommit(writes int, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.commits++
	o.carried += writes
}

// take returns the counts and starts again from zero.
func (o *countingObserver) take() [3]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	got := [3]int{o.reads, o.writes, o.commits}
	if o.carried != o.commits {
		panic("a PostgreSQL commit carried more than one write")
	}
	o.reads, o.writes, o.commits, o.carried = 0, 0, 0, 0
	return got
}

// TestObserver checks what the metrics are told of each kind of operation: a read is one read, whatever the
// statements inside a write transaction; a write is one write, with one commit when it committed and none when
// it wrote nothing (a used code); a single-statement write (an UPDATE outside a transaction) is a write too.
func TestObserver(t *testing.T) {
	dsn := testDSN(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	obs := &countingObserver{}
	s, err := postgres.Open(context.Background(), postgres.Options{DSN: freshSchema(t, dsn, t.TempDir()), Logger: quiet,
		Clock: func() time.Time { return now }, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := t.Context()
	f := fixtures{host: "h", now: now}
	obs.take() // what opening did

	cases := []struct {
		name string
		run  func() error
		err  error
		want [3]int // reads, writes, commits
	}{
		{"Grants.Create with a token", func() error {
			return s.Grants().Create(ctx, f.grant("g1"), f.token("t1", "g1", store.AccessToken))
		}, nil, [3]int{0, 1, 1}},
		{"Tokens.Get", func() error { _, err := s.Tokens().Get(ctx, f.host, "t1"); return err }, nil, [3]int{1, 0, 0}},
		{"Tokens.Get of a missing token", func() error { _, err := s.Tokens().Get(ctx, f.host, "nope"); return err },
			store.ErrNotFound, [3]int{1, 0, 0}},
		{"Grants.ListByUser", func() error { _, err := s.Grants().ListByUser(ctx, f.host, "u"); return err }, nil, [3]int{1, 0, 0}},
		{"Codes.Put with its grant", func() error { return s.Codes().Put(ctx, f.code("c1", "g2"), f.grant("g2")) }, nil, [3]int{0, 1, 1}},
		{"Codes.Consume", func() error {
			_, err := s.Codes().Consume(ctx, f.host, "c1", f.token("t2", "g2", store.AccessToken))
			return err
		}, nil, [3]int{0, 1, 1}},
		{"Codes.Consume of a used code", func() error {
			_, err := s.Codes().Consume(ctx, f.host, "c1", f.token("t3", "g2", store.AccessToken))
			return err
		}, store.ErrAlreadyUsed, [3]int{0, 1, 0}},
		{"Tokens.Revoke", func() error { return s.Tokens().Revoke(ctx, f.host, "t1") }, nil, [3]int{0, 1, 1}},
		{"Users.Create", func() error {
			return s.Users().Create(ctx, &store.User{ID: "u1", Host: f.host, Username: "alice"})
		}, nil, [3]int{0, 1, 1}},
		{"Users.Update", func() error {
			return s.Users().Update(ctx, &store.User{ID: "u1", Host: f.host, Username: "alice2"}, store.UserUpdate{})
		}, nil, [3]int{0, 1, 1}},
	}
	for _, c := range cases {
		if err := c.run(); !errors.Is(err, c.err) {
			t.Fatalf("%s: %v, want %v", c.name, err, c.err)
		}
		if got := obs.take(); got != c.want {
			t.Errorf("%s: observed %d reads, %d writes, %d commits; want %d, %d, %d", c.name, got[0], got[1], got[2],
				c.want[0], c.want[1], c.want[2])
		}
	}
}

// discardObserver is an Observer that does nothing: what observing costs the store itself.
type discardObserver struct{}

func (discardObserver) StoreOp(string, time.Duration)  {}
func (discardObserver) StoreCommit(int, time.Duration) {}

// BenchmarkObserved measures a token read and a grant creation with and without an Observer on a loopback
// database: the cost of the tracer and the timing around writes.
func BenchmarkObserved(b *testing.B) {
	dsn := testDSN(b)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name string
		obs  store.Observer
	}{{"unobserved", nil}, {"observed", discardObserver{}}} {
		s, err := postgres.Open(context.Background(), postgres.Options{DSN: freshSchema(b, dsn, b.TempDir()), Logger: quiet,
			MaxConns: 1, Clock: func() time.Time { return now }, Observer: c.obs})
		if err != nil {
			b.Fatal(err)
		}
		f := fixtures{host: "h", now: now}
		ctx := b.Context()
		if err := s.Grants().Create(ctx, f.grant("g"), f.token("t", "g", store.AccessToken)); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/Tokens.Get", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Tokens().Get(ctx, f.host, "t"); err != nil {
					b.Fatal(err)
				}
			}
		})
		i := 0 // across the runs b.Run makes of the function: every grant id is new
		b.Run(c.name+"/Grants.Create", func(b *testing.B) {
			for b.Loop() {
				i++
				id := c.name + strconv.Itoa(i)
				if err := s.Grants().Create(ctx, f.grant(id), f.token(id+"t", id, store.AccessToken)); err != nil {
					b.Fatal(err)
				}
			}
		})
		_ = s.Close()
	}
}
