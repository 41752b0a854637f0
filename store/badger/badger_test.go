package badger_test

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
	"github.com/assentry/assentry/store/storetest"
)

// quiet logs Badger's warnings and errors only.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// open opens a durable store on dir; a small memtable makes the many short-lived test stores cheap.
func open(t testing.TB, dir string, clock store.Clock) *badger.Store {
	t.Helper()
	s, err := badger.Open(t.Context(), badger.Options{Dir: dir, Clock: clock, Logger: quiet, MemTableSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, dir string, clock store.Clock) store.Store { return open(t, dir, clock) })
}

// TestConformanceNoGroupCommit runs the suite with every write in a transaction of its own, the path group
// commit replaces (kept for measurements).
func TestConformanceNoGroupCommit(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, dir string, clock store.Clock) store.Store {
		s, err := badger.Open(t.Context(), badger.Options{Dir: dir, Clock: clock, Logger: quiet, MemTableSize: 4 << 20,
			NoGroupCommit: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, nil)
	defer s.Close()
	_, err := badger.Open(t.Context(), badger.Options{Dir: dir, Logger: quiet})
	if !errors.Is(err, badger.ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
}

func TestOpenOptions(t *testing.T) {
	tests := []struct {
		name string
		opts badger.Options
	}{
		{"neither Dir nor InMemory", badger.Options{}},
		{"both Dir and InMemory", badger.Options{Dir: t.TempDir(), InMemory: true}},
	}
	for _, tt := range tests {
		if _, err := badger.Open(t.Context(), tt.opts); err == nil {
			t.Errorf("%s: Open succeeded, want an error", tt.name)
		}
	}
}

// benchGrant creates a grant for the benchmarks' tokens.
func benchGrant(b *testing.B, s store.Store) *store.Grant {
	b.Helper()
	now := time.Now()
	g := &store.Grant{ID: "g1", Host: "bench", UserID: "u1", ClientID: "c1", Scopes: []string{"openid"},
		CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
	if err := s.Grants().Create(b.Context(), g); err != nil {
		b.Fatal(err)
	}
	return g
}

func benchToken(g *store.Grant, id string) *store.Token {
	now := time.Now()
	return &store.Token{ID: id, Host: g.Host, Kind: store.AccessToken, GrantID: g.ID, ClientID: g.ClientID,
		UserID: g.UserID, Scopes: g.Scopes, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
}

// openBench opens a store as production does (durable, Badger's default memtable) for the benchmarks.
func openBench(b *testing.B) *badger.Store {
	b.Helper()
	s, err := badger.Open(b.Context(), badger.Options{Dir: b.TempDir(), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkTokenPut measures a durable (fsynced) token write: serially, and from 16 and 64 parallel writers,
// with group commit (the default: the writes that queue during a sync share the next one) and without it (each
// write its own transaction and sync, as Badger does alone). writes/commit is the batch size achieved.
func BenchmarkTokenPut(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		s := openBench(b)
		defer s.Close()
		g := benchGrant(b, s)
		for i := 0; b.Loop(); i++ {
			if err := s.Tokens().Put(b.Context(), benchToken(g, fmt.Sprint("at-", i))); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []struct {
		name string
		off  bool
	}{{"group", false}, {"no-group", true}} {
		for _, par := range []int{8, 32} {
			b.Run(fmt.Sprintf("parallel-%d/%s", 2*par, mode.name), func(b *testing.B) {
				s, err := badger.Open(b.Context(), badger.Options{Dir: b.TempDir(), Logger: quiet, NoGroupCommit: mode.off})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				// One grant per writer goroutine: tokens of one grant extend the same grant record.
				var n atomic.Int64
				b.SetParallelism(par)
				before := s.Stats()
				b.RunParallel(func(pb *testing.PB) {
					w := n.Add(1)
					now := time.Now()
					g := &store.Grant{ID: fmt.Sprint("g", w), Host: "bench", UserID: "u1", ClientID: "c1",
						CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
					if err := s.Grants().Create(b.Context(), g); err != nil {
						b.Error(err)
						return
					}
					for i := 0; pb.Next(); i++ {
						if err := s.Tokens().Put(b.Context(), benchToken(g, fmt.Sprint("at-", w, "-", i))); err != nil {
							b.Error(err)
							return
						}
					}
				})
				st := s.Stats()
				if c := st.Commits - before.Commits; c > 0 {
					b.ReportMetric(float64(st.Writes-before.Writes)/float64(c), "writes/commit")
				}
			})
		}
	}
}

// BenchmarkCodeConsume measures a durable code write plus its atomic consume (two fsynced transactions).
func BenchmarkCodeConsume(b *testing.B) {
	s := openBench(b)
	defer s.Close()
	now := time.Now()
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprint("ac-", i)
		c := &store.Code{ID: id, Host: "bench", GrantID: "g1", ClientID: "c1", UserID: "u1",
			Scopes: []string{"openid"}, IssuedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := s.Codes().Put(b.Context(), c); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Codes().Consume(b.Context(), "bench", id); err != nil {
			b.Fatal(err)
		}
	}
}
