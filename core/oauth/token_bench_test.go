package oauth

import (
	"context"
	"log/slog"
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

// withChain gives the provider a policy chain: the built-in policy, plus a Lua scope policy when lua is set.
func withChain(b *testing.B, lua bool) func(*Options) {
	return func(o *Options) {
		var bound []policy.Bound
		if lua {
			pl, err := policylua.New(policylua.Options{}).Load(context.Background(), policy.Source{Name: "scopes", Code: []byte(scopeLua), Host: tkHost})
			if err != nil {
				b.Fatal(err)
			}
			bound = append(bound, policy.Bound{Name: "scopes", Plugin: pl})
		}
		builtin := (&Provider{Scopes: o.Scopes}).Builtin()
		chain, err := policy.NewChain(policy.Options{Host: tkHost, Builtin: builtin, Roles: []string{"user", "admin"},
			Log: slog.New(slog.DiscardHandler)}, bound...)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = chain.Close(context.Background()) })
		o.Policy = chain
	}
}

// BenchmarkRefreshPolicies is BenchmarkRefresh with the policy chain on the path (map_roles and scope_policy
// run once per grant): without a chain, built-in only through the chain, and with a Lua scope policy; the
// differences are the added latency (small next to the durable write).
func BenchmarkRefreshPolicies(b *testing.B) {
	for _, tc := range []struct {
		name       string
		chain, lua bool
	}{{"no-chain", false, false}, {"builtin-chain", true, false}, {"lua-scope-policy", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			var mods []func(*Options)
			if tc.chain {
				mods = append(mods, withChain(b, tc.lua))
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
