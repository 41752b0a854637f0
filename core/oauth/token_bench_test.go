package oauth

import (
	"context"
	"runtime"
	"testing"

	"github.com/assentry/assentry/policy"
	policylua "github.com/assentry/assentry/policy/lua"
)

// BenchmarkCodeExchange is the token endpoint's hot path for a new login: store a grant and its code (as the
// authorization endpoint does), then authenticate the client, consume the code, check PKCE and store the
// token pair, on durable Badger in a temporary directory (every write synced).
func BenchmarkCodeExchange(b *testing.B) {
	e := newTokenEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		code, _ := e.newCode(codeSpec{})
		if _, err := e.exchange("web", code); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefresh is refresh-token rotation: authenticate, read the token and its grant, check the user, and
// rotate (mark used and store the new pair in one durable write).
func BenchmarkRefresh(b *testing.B) {
	e := newTokenEnv(b)
	rt := e.mustExchange("web").RefreshToken
	b.ReportAllocs()
	for b.Loop() {
		resp, err := e.refresh("web", rt)
		if err != nil {
			b.Fatal(err)
		}
		rt = resp.RefreshToken
	}
}

// scopeLua is a realistic scope policy: drop admin for clients that are not on an allow list.
const scopeLua = `
local trusted = {web = true}
return {abi = 1, scope_policy = function(req)
  local out = {}
  for _, s in ipairs(req.granted_scopes) do
    if s ~= "admin" or trusted[req.client.client_id] then out[#out + 1] = s end
  end
  return {granted_scopes = out}
end}`

// withLua puts a Lua scope policy in the provider's chain, after the built-in policy.
func withLua(b *testing.B) func(*Options) {
	return func(o *Options) {
		pl, err := policylua.New(policylua.Options{}).Load(context.Background(), policy.Source{Name: "scopes", Code: []byte(scopeLua), Host: tkHost})
		if err != nil {
			b.Fatal(err)
		}
		o.Policy = builtinChain(b, tkHost, o.Scopes, nil, policy.Bound{Name: "scopes", Plugin: pl})
	}
}

// BenchmarkRefreshPolicies is BenchmarkRefresh with a plugin on the path or not (map_roles and scope_policy run
// once per grant through the chain either way): the built-in policy alone, as every host without plugins runs,
// and with a Lua scope policy; the difference is the plugin's added latency (small next to the durable write).
func BenchmarkRefreshPolicies(b *testing.B) {
	for _, tc := range []struct {
		name string
		lua  bool
	}{{"builtin-chain", false}, {"lua-scope-policy", true}} {
		b.Run(tc.name, func(b *testing.B) {
			var mods []func(*Options)
			if tc.lua {
				mods = append(mods, withLua(b))
			}
			e := newTokenEnv(b, mods...)
			rt := e.mustExchange("web").RefreshToken
			b.ReportAllocs()
			for b.Loop() {
				resp, err := e.refresh("web", rt)
				if err != nil {
					b.Fatal(err)
				}
				rt = resp.RefreshToken
			}
		})
	}
}

// BenchmarkGrantScopes is the scope decision of one grant (map_roles, scope_policy and the host's invariant)
// through the chain with the built-in policy alone, without the store write that dominates BenchmarkRefresh:
// the CPU every grant of a host without plugins pays for the policy hooks.
func BenchmarkGrantScopes(b *testing.B) {
	e := newTokenEnv(b)
	client, err := e.p.Clients.Get(e.ctx, "web")
	if err != nil {
		b.Fatal(err)
	}
	requested := []string{ScopeOpenID, ScopeOfflineAccess, ScopeProfile, "user", "admin"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := e.p.grantScopes(e.ctx, GrantRefreshToken, client, e.alice, requested, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshParallel is BenchmarkRefresh with 32 concurrent chains on each GOMAXPROCS core (run with -cpu 1
// for one core, as the load measurements pin the server): concurrent writes share a sync through the store's
// group commit, so ns/op is the CPU and the shared sync per rotation rather than one sync's latency.
func BenchmarkRefreshParallel(b *testing.B) {
	e := newTokenEnv(b)
	const chains = 32
	start := make(chan string, chains*runtime.GOMAXPROCS(0))
	for range cap(start) {
		start <- e.mustExchange("web", ScopeOfflineAccess).RefreshToken
	}
	b.SetParallelism(chains)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rt := <-start
		for pb.Next() {
			resp, err := e.refresh("web", rt)
			if err != nil {
				b.Error(err)
				return
			}
			rt = resp.RefreshToken
		}
	})
}
