package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/postgres"
)

// countingConn counts the flushes the driver makes on a connection: every Write is one batch of messages sent
// to the server, whose answer the driver then waits for, so the count is the number of round trips. With delay,
// each flush waits that long first, as if the database were a network's round trip away.
type countingConn struct {
	net.Conn
	n     *atomic.Int64
	delay time.Duration
}

func (c countingConn) Write(b []byte) (int, error) {
	c.n.Add(1)
	if c.delay > 0 {
		time.Sleep(c.delay)
	}
	return c.Conn.Write(b)
}

// countingStore opens a store on a fresh schema with one connection whose round trips are counted in n (idle
// pings are off, so only the operations' own round trips count).
func countingStore(tb testing.TB, dsn string, clock store.Clock, n *atomic.Int64, delay time.Duration) *postgres.Store {
	tb.Helper()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, n, delay}, nil
	}
	o := postgres.WithDialer(postgres.Options{DSN: freshSchema(tb, dsn, tb.TempDir()), MaxConns: 1, Clock: clock,
		Logger: quiet}, dial)
	s, err := postgres.Open(context.Background(), o)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// fixtures makes the records of the round-trip tests and benchmarks: grant i with tokens that outlive it (so
// storing them extends the grant's expiry too, the most a token write does).
type fixtures struct {
	host string
	now  time.Time
}

func (f fixtures) grant(id string) *store.Grant {
	return &store.Grant{ID: id, Host: f.host, UserID: "u", ClientID: "c", Scopes: []string{"openid"}, CreatedAt: f.now,
		ExpiresAt: f.now.Add(time.Hour)}
}

func (f fixtures) token(id, grant string, kind store.TokenKind) *store.Token {
	return &store.Token{ID: id, Host: f.host, Kind: kind, GrantID: grant, ClientID: "c", UserID: "u", IssuedAt: f.now,
		ExpiresAt: f.now.Add(48 * time.Hour)}
}

func (f fixtures) code(id, grant string) *store.Code {
	return &store.Code{ID: id, Host: f.host, GrantID: grant, ClientID: "c", UserID: "u", IssuedAt: f.now,
		ExpiresAt: f.now.Add(time.Minute)}
}

// TestRoundTrips counts the round trips each operation costs once its connection has prepared its statements
// (each case runs once to warm up, then once counted): one for a read, one for a write that needs to read
// nothing first, two for a redemption or rotation (lock and read; write and commit).
func TestRoundTrips(t *testing.T) {
	dsn := testDSN(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var n atomic.Int64
	s := countingStore(t, dsn, func() time.Time { return now }, &n, 0)
	ctx := t.Context()
	f := fixtures{host: "h", now: now}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	id := func(kind string, i int) string { return fmt.Sprintf("%s%d", kind, i) }

	cases := []struct {
		name  string
		want  int64
		setup func(i int)
		run   func(i int) error
		err   error // the error run must end with
	}{
		{name: "Tokens.Get", want: 1,
			setup: func(i int) {
				must(s.Grants().Create(ctx, f.grant(id("get-g", i)), f.token(id("get-t", i), id("get-g", i), store.AccessToken)))
			},
			run: func(i int) error { _, err := s.Tokens().Get(ctx, f.host, id("get-t", i)); return err }},
		{name: "Codes.Consume with two tokens", want: 2,
			setup: func(i int) {
				must(s.Codes().Put(ctx, f.code(id("code", i), id("code-g", i)), f.grant(id("code-g", i))))
			},
			run: func(i int) error {
				_, err := s.Codes().Consume(ctx, f.host, id("code", i), f.token(id("code-at", i), id("code-g", i), store.AccessToken),
					f.token(id("code-rt", i), id("code-g", i), store.RefreshToken))
				return err
			}},
		{name: "Codes.Consume of a used code", want: 2, err: store.ErrAlreadyUsed,
			setup: func(i int) {
				must(s.Codes().Put(ctx, f.code(id("used", i), id("used-g", i)), f.grant(id("used-g", i))))
				_, err := s.Codes().Consume(ctx, f.host, id("used", i))
				must(err)
			},
			run: func(i int) error {
				_, err := s.Codes().Consume(ctx, f.host, id("used", i), f.token(id("used-at", i), id("used-g", i), store.AccessToken))
				return err
			}},
		{name: "Tokens.Rotate with two tokens", want: 2,
			setup: func(i int) {
				must(s.Grants().Create(ctx, f.grant(id("rot-g", i)), f.token(id("rot-rt", i), id("rot-g", i), store.RefreshToken)))
			},
			run: func(i int) error {
				_, err := s.Tokens().Rotate(ctx, f.host, id("rot-rt", i), f.token(id("rot-at2-", i), id("rot-g", i), store.AccessToken),
					f.token(id("rot-rt2-", i), id("rot-g", i), store.RefreshToken))
				return err
			}},
		{name: "DeviceCodes.Consume with two tokens", want: 2,
			setup: func(i int) {
				must(s.Grants().Create(ctx, f.grant(id("dev-g", i))))
				must(s.DeviceCodes().Put(ctx, &store.DeviceCode{ID: id("dev", i), Host: f.host, UserCode: id("UC", i), ClientID: "c",
					Status: "approved", UserID: "u", GrantID: id("dev-g", i), IssuedAt: now, ExpiresAt: now.Add(time.Minute)}))
			},
			run: func(i int) error {
				_, err := s.DeviceCodes().Consume(ctx, f.host, id("dev", i), f.token(id("dev-at", i), id("dev-g", i), store.AccessToken),
					f.token(id("dev-rt", i), id("dev-g", i), store.RefreshToken))
				return err
			}},
		{name: "Grants.Create with tokens", want: 1, setup: func(int) {},
			run: func(i int) error {
				return s.Grants().Create(ctx, f.grant(id("new-g", i)), f.token(id("new-at", i), id("new-g", i), store.AccessToken),
					f.token(id("new-rt", i), id("new-g", i), store.RefreshToken))
			}},
		{name: "Codes.Put with its grant", want: 1, setup: func(int) {},
			run: func(i int) error {
				return s.Codes().Put(ctx, f.code(id("put", i), id("put-g", i)), f.grant(id("put-g", i)))
			}},
		{name: "Tokens.Put", want: 2,
			setup: func(i int) { must(s.Grants().Create(ctx, f.grant(id("tput-g", i)))) },
			run: func(i int) error {
				return s.Tokens().Put(ctx, f.token(id("tput-t", i), id("tput-g", i), store.AccessToken))
			}},
		{name: "Tokens.Revoke", want: 1,
			setup: func(i int) {
				must(s.Grants().Create(ctx, f.grant(id("rev-g", i)), f.token(id("rev-t", i), id("rev-g", i), store.AccessToken)))
			},
			run: func(i int) error { return s.Tokens().Revoke(ctx, f.host, id("rev-t", i)) }},
		{name: "Grants.Revoke", want: 1,
			setup: func(i int) { must(s.Grants().Create(ctx, f.grant(id("grev-g", i)))) },
			run:   func(i int) error { return s.Grants().Revoke(ctx, f.host, id("grev-g", i)) }},
		{name: "Interactions.Consume", want: 1,
			setup: func(i int) {
				must(s.Interactions().Put(ctx, &store.Interaction{ID: id("x", i), Host: f.host, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
			},
			run: func(i int) error { _, err := s.Interactions().Consume(ctx, f.host, id("x", i)); return err }},
		{name: "Users.Update ending sessions and grants", want: 1,
			setup: func(i int) {
				must(s.Users().Create(ctx, &store.User{ID: id("upd", i), Host: f.host, Username: id("upd-name", i)}))
			},
			run: func(i int) error {
				return s.Users().Update(ctx, &store.User{ID: id("upd", i), Host: f.host, Username: id("upd-new", i)},
					store.UserUpdate{EndSessions: true, RevokeGrants: true})
			}},
		{name: "Clients.Delete", want: 1,
			setup: func(i int) { must(s.Clients().Create(ctx, &store.Client{ID: id("client", i), Host: f.host})) },
			run:   func(i int) error { return s.Clients().Delete(ctx, f.host, id("client", i)) }},
		{name: "RevokedClients.Add", want: 1, setup: func(int) {},
			run: func(i int) error {
				_, _, err := s.RevokedClients().Add(ctx, &store.RevokedClient{ID: id("ban", i), Host: f.host, RevokedAt: now}, id("banned", i))
				return err
			}},
		{name: "Users.Delete", want: 1,
			setup: func(i int) {
				must(s.Users().Create(ctx, &store.User{ID: id("user", i), Host: f.host, Username: id("name", i)}))
			},
			run: func(i int) error { return s.Users().Delete(ctx, f.host, id("user", i)) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i := range 2 {
				c.setup(i)
				n.Store(0)
				if err := c.run(i); !errors.Is(err, c.err) {
					t.Fatalf("run %d: %v, want %v", i, err, c.err)
				}
				switch got := n.Load(); {
				case i == 0:
					t.Logf("first run, preparing its statements: %d round trips", got)
				case got != c.want:
					t.Errorf("%d round trips, want %d", got, c.want)
				}
			}
		})
	}
}

// benchLatencies are the round-trip times the benchmarks run at: the loopback's own, and a simulated half
// millisecond more per round trip (a database in the same data centre).
var benchLatencies = []struct {
	name  string
	delay time.Duration
}{{"loopback", 0}, {"rtt=0.5ms", 500 * time.Microsecond}}

// benchAtLatencies runs a benchmark at each of benchLatencies, on a store of its own that counts round trips
// (its clock fixed): prepare stores what count operations need before the timer starts, then op(i) runs count
// times (count is the sub-benchmark's b.N) and the round trips per operation are reported.
func benchAtLatencies(b *testing.B, prepare func(ctx context.Context, s *postgres.Store, f fixtures, count int) error,
	op func(ctx context.Context, s *postgres.Store, f fixtures, i int) error) {
	dsn := testDSN(b)
	for _, l := range benchLatencies {
		b.Run(l.name, func(b *testing.B) {
			now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
			var n atomic.Int64
			s := countingStore(b, dsn, func() time.Time { return now }, &n, l.delay)
			ctx, f := b.Context(), fixtures{host: "h", now: now}
			if err := prepare(ctx, s, f, b.N); err != nil {
				b.Fatal(err)
			}
			n.Store(0)
			b.ResetTimer()
			for i := range b.N {
				if err := op(ctx, s, f, i); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n.Load())/float64(b.N), "roundtrips/op")
		})
	}
}

// BenchmarkConsume redeems a code with two tokens per iteration (the codes are stored before the timer starts).
func BenchmarkConsume(b *testing.B) {
	benchAtLatencies(b, func(ctx context.Context, s *postgres.Store, f fixtures, count int) error {
		for i := range count {
			if err := s.Codes().Put(ctx, f.code(fmt.Sprint("c", i), fmt.Sprint("g", i)), f.grant(fmt.Sprint("g", i))); err != nil {
				return err
			}
		}
		return nil
	}, func(ctx context.Context, s *postgres.Store, f fixtures, i int) error {
		g := fmt.Sprint("g", i)
		_, err := s.Codes().Consume(ctx, f.host, fmt.Sprint("c", i), f.token(fmt.Sprint("at", i), g, store.AccessToken),
			f.token(fmt.Sprint("rt", i), g, store.RefreshToken))
		return err
	})
}

// BenchmarkRotate rotates one refresh token chain, an access and a refresh token per iteration.
func BenchmarkRotate(b *testing.B) {
	benchAtLatencies(b, func(ctx context.Context, s *postgres.Store, f fixtures, _ int) error {
		return s.Grants().Create(ctx, f.grant("g"), f.token("rt0", "g", store.RefreshToken))
	}, func(ctx context.Context, s *postgres.Store, f fixtures, i int) error {
		_, err := s.Tokens().Rotate(ctx, f.host, fmt.Sprint("rt", i), f.token(fmt.Sprint("at", i), "g", store.AccessToken),
			f.token(fmt.Sprint("rt", i+1), "g", store.RefreshToken))
		return err
	})
}
