package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
	"github.com/assentry/assentry/store/postgres"
	"github.com/assentry/assentry/store/storetest"
)

// TestTransferToBadger moves a host from PostgreSQL to Badger (the conformance suite moves one between two
// stores of the same backend, and cmd/assentry's tests from Badger to PostgreSQL through the binary).
func TestTransferToBadger(t *testing.T) {
	dsn := testDSN(t)
	fromPostgres := func(t *testing.T, dir string, clock store.Clock) store.Store { return open(t, dsn, dir, clock) }
	toBadger := func(t *testing.T, dir string, clock store.Clock) store.Store {
		s, err := badger.Open(t.Context(), badger.Options{Dir: dir, Clock: clock, Logger: quiet, MemTableSize: 4 << 20})
		if err != nil {
			t.Fatalf("badger.Open: %v", err)
		}
		return s
	}
	storetest.Transfer(t, fromPostgres, toBadger)
}

// BenchmarkMoveHost measures the move the README describes: a Badger store holding one host of
// ASSENTRY_BENCH_USERS users (default 10000), each with five token chains (a grant, an access and a refresh
// token), exported to an in-memory file, then imported into a fresh PostgreSQL schema. Run it with
// -benchtime=1x; filling the Badger store is not timed. It also imports the file into a new Badger store.
func BenchmarkMoveHost(b *testing.B) {
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		b.Skipf("%s is not set", dsnEnv)
	}
	users := 10000
	if s := os.Getenv("ASSENTRY_BENCH_USERS"); s != "" {
		users, _ = strconv.Atoi(s)
	}
	ctx := b.Context()
	src, err := badger.Open(ctx, badger.Options{Dir: b.TempDir(), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	now := time.Now()
	var wg sync.WaitGroup
	const writers = 32
	for w := range writers {
		wg.Go(func() {
			for u := w; u < users; u += writers {
				if err := fillUser(ctx, src, u, now); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		var file bytes.Buffer
		w, err := store.NewExportWriter(&file, store.ExportHeader{Host: "h"})
		if err != nil {
			b.Fatal(err)
		}
		if err := src.ExportHost(ctx, "h", w.Write); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		exported, size := time.Since(start), file.Len()

		dst, err := postgres.Open(ctx, postgres.Options{DSN: benchSchema(b, dsn, i), Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		res, imported := benchImport(b, dst, file.Bytes())
		_ = dst.Close()
		back, err := badger.Open(ctx, badger.Options{Dir: b.TempDir(), Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		_, intoBadger := benchImport(b, back, file.Bytes())
		_ = back.Close()
		b.ReportMetric(float64(res.Total()), "records")
		b.ReportMetric(float64(size)/(1<<20), "MiB")
		b.ReportMetric(exported.Seconds(), "export-s")
		b.ReportMetric(imported.Seconds(), "import-pg-s")
		b.ReportMetric(intoBadger.Seconds(), "import-badger-s")
	}
}

// benchImport imports the export file into s and returns what it did and how long it took.
func benchImport(b *testing.B, s store.HostExporter, file []byte) (store.ImportResult, time.Duration) {
	r, err := store.NewExportReader(bytes.NewReader(file))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := s.ImportHost(b.Context(), "h", r.Records(), store.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return res, time.Since(start)
}

// fillUser creates user u of host "h" with five token chains through the normal interfaces.
func fillUser(ctx context.Context, s store.Store, u int, now time.Time) error {
	uid := fmt.Sprint("u", u)
	err := s.Users().Create(ctx, &store.User{ID: uid, Host: "h", Username: fmt.Sprint("user", u),
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", CreatedAt: now, UpdatedAt: now})
	for g := 0; g < 5 && err == nil; g++ {
		gid := fmt.Sprintf("%s-g%d", uid, g)
		gr := &store.Grant{ID: gid, Host: "h", UserID: uid, ClientID: "c1", Scopes: []string{"openid", "offline_access"},
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		tok := func(kind store.TokenKind, ttl time.Duration) *store.Token {
			return &store.Token{ID: gid + "-" + string(kind), Host: "h", Kind: kind, GrantID: gid, ClientID: "c1",
				UserID: uid, Scopes: gr.Scopes, IssuedAt: now, ExpiresAt: now.Add(ttl)}
		}
		err = s.Grants().Create(ctx, gr, tok(store.AccessToken, time.Hour), tok(store.RefreshToken, 30*24*time.Hour))
	}
	return err
}

// benchSchema creates schema number i of the benchmark (dropped when it ends) and returns a DSN that uses it.
func benchSchema(b *testing.B, dsn string, i int) string {
	name := fmt.Sprintf("movehost_%d_%d", os.Getpid(), i)
	run := func(sql string) {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	run("CREATE SCHEMA " + name)
	b.Cleanup(func() { run("DROP SCHEMA " + name + " CASCADE") })
	return withSearchPath(dsn, name)
}
