package oauth

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/store"
)

// BenchmarkClientCredentials is the client credentials grant's handler: authenticate the client, run the scope
// chain without a user, and create the grant with its access token in one durable write (Badger in a temporary
// directory, every write synced). reads/op and writes/op count store calls, each one Badger transaction.
func BenchmarkClientCredentials(b *testing.B) {
	n := &txCounter{}
	e := newGrantEnv(b, grantOpts{stores: n.wrap})
	cr := e.addClient("svc", ccSecret, []string{GrantClientCredentials}, nil)
	n.reset()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.token(cr, "grant_type", GrantClientCredentials, "scope", "api metrics"); err != nil {
			b.Fatal(err)
		}
	}
	n.report(b)
}

// BenchmarkPasswordGrant is the password grant's handler with a refresh token: authenticate the client, check
// the limiters, verify the password (argon2id), load the user again for liveness, run map_roles and
// scope_policy, and create the grant with both tokens in one durable write. "cheap-hash" isolates the grant
// from argon2id (64 KiB, one pass); "owasp-hash" is the default cost (19 MiB, two passes), which dominates.
func BenchmarkPasswordGrant(b *testing.B) {
	for _, tt := range []struct {
		name string
		hash account.Params
	}{
		{"cheap-hash", account.Params{Memory: 64, Iterations: 1, Parallelism: 1}},
		{"owasp-hash", account.Params{Memory: 19456, Iterations: 2, Parallelism: 1}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			n := &txCounter{}
			e := newGrantEnv(b, grantOpts{stores: n.wrap, hash: tt.hash})
			cr := e.addClient("legacy", pwSecret, []string{GrantPassword, GrantRefreshToken}, nil)
			n.reset()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := e.tokenFrom(cr, "192.0.2.1", "grant_type", GrantPassword, "username", "bob",
					"password", "correct horse battery", "scope", "openid offline_access user")
				if err != nil || resp.RefreshToken == "" {
					b.Fatal(err)
				}
			}
			n.report(b)
		})
	}
}

// txCounter counts the calls to the user, client, grant and token stores: reads and writes, each one store
// transaction.
type txCounter struct{ reads, writes atomic.Int64 }

// wrap puts the counter in front of the provider's stores (the client registry is rebuilt on the counted one).
func (n *txCounter) wrap(o *Options) {
	cs := o.Clients.(*Clients)
	o.Clients = NewClients(cs.host, countedClients{cs.clients, n}, o.Settings.GrantTypes, cs.now)
	o.Users = countedUsers{o.Users, n}
	o.Grants = countedGrants{o.Grants, n}
	o.Tokens = countedTokens{o.Tokens, n}
}

func (n *txCounter) reset() { n.reads.Store(0); n.writes.Store(0) }

func (n *txCounter) report(b *testing.B) {
	b.ReportMetric(float64(n.reads.Load())/float64(b.N), "reads/op")
	b.ReportMetric(float64(n.writes.Load())/float64(b.N), "writes/op")
}

func (n *txCounter) read()  { n.reads.Add(1) }
func (n *txCounter) write() { n.writes.Add(1) }

type countedUsers struct {
	s store.UserStore
	n *txCounter
}

func (c countedUsers) Create(ctx context.Context, u *store.User) error {
	c.n.write()
	return c.s.Create(ctx, u)
}
func (c countedUsers) Get(ctx context.Context, host, id string) (*store.User, error) {
	c.n.read()
	return c.s.Get(ctx, host, id)
}
func (c countedUsers) GetByUsername(ctx context.Context, host, name string) (*store.User, error) {
	c.n.read()
	return c.s.GetByUsername(ctx, host, name)
}
func (c countedUsers) Update(ctx context.Context, u *store.User, o store.UserUpdate) error {
	c.n.write()
	return c.s.Update(ctx, u, o)
}
func (c countedUsers) Delete(ctx context.Context, host, id string) error {
	c.n.write()
	return c.s.Delete(ctx, host, id)
}
func (c countedUsers) List(ctx context.Context, host string) ([]*store.User, error) {
	c.n.read()
	return c.s.List(ctx, host)
}

type countedClients struct {
	s store.ClientStore
	n *txCounter
}

func (c countedClients) Create(ctx context.Context, cl *store.Client) error {
	c.n.write()
	return c.s.Create(ctx, cl)
}
func (c countedClients) Put(ctx context.Context, cl *store.Client) error {
	c.n.write()
	return c.s.Put(ctx, cl)
}
func (c countedClients) Get(ctx context.Context, host, id string) (*store.Client, error) {
	c.n.read()
	return c.s.Get(ctx, host, id)
}
func (c countedClients) Update(ctx context.Context, cl *store.Client) error {
	c.n.write()
	return c.s.Update(ctx, cl)
}
func (c countedClients) Delete(ctx context.Context, host, id string) error {
	c.n.write()
	return c.s.Delete(ctx, host, id)
}
func (c countedClients) List(ctx context.Context, host string) ([]*store.Client, error) {
	c.n.read()
	return c.s.List(ctx, host)
}

type countedGrants struct {
	s store.GrantStore
	n *txCounter
}

func (c countedGrants) Create(ctx context.Context, g *store.Grant, toks ...*store.Token) error {
	c.n.write()
	return c.s.Create(ctx, g, toks...)
}
func (c countedGrants) Get(ctx context.Context, host, id string) (*store.Grant, error) {
	c.n.read()
	return c.s.Get(ctx, host, id)
}
func (c countedGrants) Revoke(ctx context.Context, host, id string) error {
	c.n.write()
	return c.s.Revoke(ctx, host, id)
}
func (c countedGrants) RevokeByUser(ctx context.Context, host, userID string) (int, error) {
	c.n.write()
	return c.s.RevokeByUser(ctx, host, userID)
}
func (c countedGrants) ListByUser(ctx context.Context, host, userID string) ([]*store.Grant, error) {
	c.n.read()
	return c.s.ListByUser(ctx, host, userID)
}

type countedTokens struct {
	s store.TokenStore
	n *txCounter
}

func (c countedTokens) Put(ctx context.Context, toks ...*store.Token) error {
	c.n.write()
	return c.s.Put(ctx, toks...)
}
func (c countedTokens) Get(ctx context.Context, host, id string) (*store.Token, error) {
	c.n.read()
	return c.s.Get(ctx, host, id)
}
func (c countedTokens) Rotate(ctx context.Context, host, id string, next ...*store.Token) (*store.Token, error) {
	c.n.write()
	return c.s.Rotate(ctx, host, id, next...)
}
func (c countedTokens) Revoke(ctx context.Context, host, id string) error {
	c.n.write()
	return c.s.Revoke(ctx, host, id)
}
