package oauth

import (
	"context"
	"github.com/assentry/assentry/internal/testlog"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// The grants without a code (client credentials, password) run on the same token environment, with the host
// serving them, scopes that stand for no user (api, metrics), and the host's accounts for the password grant.

// grantEnv is a tokenEnv whose host also serves client_credentials and password.
type grantEnv struct {
	*tokenEnv
	accounts       *account.Service
	perIP, perUser *ratelimit.Limiter
	logs           *testlog.Buffer
	policy         *recordingPolicy
	domain         string // "@example.org" with username_is_full_id, else ""
}

// grantOpts adjust a grantEnv before its provider is built.
type grantOpts struct {
	hostGrants []string // default: the code and refresh grants, client_credentials and password
	fullID     bool     // username_is_full_id, with the domain example.org
	oidc       OIDC
	hash       account.Params // default: the cheapest argon2id
	stores     func(*Options) // replaces the stores before anything uses them
}

// newGrantEnv builds a grantEnv: limiters of 3 failures per address and 2 per username (an hour each to
// refill one), the users bob (password "correct horse battery", role user) and carol (disabled), and a recording
// policy chain in front of the built-in policy.
func newGrantEnv(t testing.TB, g grantOpts) *grantEnv {
	t.Helper()
	ge := &grantEnv{logs: &testlog.Buffer{}}
	if g.hostGrants == nil {
		g.hostGrants = []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantPassword}
	}
	if g.hash == (account.Params{}) {
		g.hash = account.Params{Memory: 64, Iterations: 1, Parallelism: 1}
	}
	ge.tokenEnv = newTokenEnv(t, func(o *Options) {
		if g.stores != nil {
			g.stores(o)
		}
		hasher, err := account.NewHasher(g.hash, 4)
		if err != nil {
			t.Fatal(err)
		}
		ge.accounts = account.New(account.Options{Host: tkHost, Users: o.Users, Hasher: hasher,
			Roles: []string{"user", "admin"}, DefaultRole: "user", FullID: g.fullID, Domain: "example.org", Now: o.Now})
		ge.perIP = ratelimit.New(3, time.Hour, o.Now)
		ge.perUser = ratelimit.New(2, time.Hour, o.Now)
		o.Settings.GrantTypes = g.hostGrants
		o.Handlers = append(BuiltinGrants(), NewPasswordGrant(ge.accounts, ge.perIP, ge.perUser))
		o.Scopes = NewCatalogue([]string{"user", "admin"}, []ScopeInfo{{Name: "api"}, {Name: "metrics"}})
		o.OIDC = g.oidc
		o.Log = slog.New(slog.NewTextHandler(ge.logs, nil))
		chain, err := policy.NewChain(policy.Options{Host: tkHost, Builtin: BuiltinPolicy(o.Scopes),
			Roles: []string{"user", "admin"}, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = chain.Close(context.Background()) })
		ge.policy = &recordingPolicy{Policy: chain}
		o.Policy = ge.policy
	})
	if g.fullID {
		ge.domain = "@example.org"
	}
	for _, u := range []account.NewUser{{Username: "bob" + ge.domain, Password: "correct horse battery"},
		{Username: "carol" + ge.domain, Password: "disabled user password"}} {
		if _, err := ge.accounts.Add(ge.ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := ge.accounts.SetDisabled(ge.ctx, "carol"+ge.domain, true); err != nil {
		t.Fatal(err)
	}
	return ge
}

// user returns a user by username (the local part).
func (e *grantEnv) user(name string) *store.User {
	e.t.Helper()
	u, err := e.accounts.Lookup(e.ctx, name+e.domain)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// addClient stores a client registered for grants with the given scopes, confidential (Basic) when secret is
// set and public otherwise, and returns its credentials; edit adjusts it before it is stored.
func (e *tokenEnv) addClient(id, secret string, grants, scopes []string, edit ...func(*store.Client)) ClientCredentials {
	e.t.Helper()
	c := &store.Client{ID: id, Host: tkHost, Name: id, GrantTypes: grants, Scopes: scopes,
		TokenEndpointAuthMethod: AuthNone, CreatedAt: e.clock.Now()}
	if secret != "" {
		c.TokenEndpointAuthMethod, c.SecretHash = AuthClientSecretBasic, Digest(secret)
	}
	for _, f := range edit {
		f(c)
	}
	if err := e.st.Clients().Create(e.ctx, c); err != nil {
		e.t.Fatal(err)
	}
	if secret == "" {
		return ClientCredentials{ID: id}
	}
	return ClientCredentials{Authorization: basicHeader(id, secret)}
}

// tokenFrom sends a token request from address ip.
func (e *tokenEnv) tokenFrom(cr ClientCredentials, ip string, kv ...string) (*TokenResponse, *Error) {
	return e.p.Token(e.ctx, &TokenRequest{Params: params(kv...), Client: cr, Transport: Transport{ClientAddr: ip}})
}

// recordingPolicy is a policy chain that records what map_roles and scope_policy were asked.
type recordingPolicy struct {
	policy.Policy
	mu       sync.Mutex
	mapRoles int
	scopes   []policy.ScopePolicyInput
}

func (r *recordingPolicy) MapRoles(ctx context.Context, in *policy.MapRolesInput) (*policy.MapRolesOutput, error) {
	r.mu.Lock()
	r.mapRoles++
	r.mu.Unlock()
	return r.Policy.MapRoles(ctx, in)
}

func (r *recordingPolicy) ScopePolicy(ctx context.Context, in *policy.ScopePolicyInput) (*policy.ScopePolicyOutput, error) {
	r.mu.Lock()
	r.scopes = append(r.scopes, *in)
	r.mu.Unlock()
	return r.Policy.ScopePolicy(ctx, in)
}

// last returns the calls so far and the last scope_policy input, and forgets them.
func (r *recordingPolicy) last(t testing.TB) (int, policy.ScopePolicyInput) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.scopes) == 0 {
		t.Fatal("scope_policy did not run")
	}
	n, in := r.mapRoles, r.scopes[len(r.scopes)-1]
	r.mapRoles, r.scopes = 0, nil
	return n, in
}
