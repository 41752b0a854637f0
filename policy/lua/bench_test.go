package lua_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/policy/policytest"
)

const benchScopeInput = `{"abi":1,"hook":"scope_policy","request_id":"0f8c2b","now":1767225600,"host":"default",
"flow":"authorization_code","user":{"sub":"u-7d1f","username":"alice","roles":["user","editor"],"groups":["staff","eng"]},
"client":{"client_id":"portal","client_name":"Portal","allowed_scopes":["openid","profile","email","offline_access","write","admin"]},
"requested_scopes":["openid","profile","email","offline_access","write","admin"],
"granted_scopes":["openid","profile","email","offline_access","write","admin"]}`

func benchPlugin(b *testing.B, code string, config map[string]any) policy.Plugin {
	b.Helper()
	// A generous deadline: a benchmark measures speed, and a loaded machine must not fail it.
	p, err := lua.New(lua.Options{}).Load(context.Background(), policy.Source{Name: "bench", Code: []byte(code),
		Config: config, Host: "default", Limits: policy.Limits{Timeout: 10 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

func benchCall(b *testing.B, p policy.Plugin, hook, input string) {
	in := []byte(input)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Call(ctx, hook, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScopePolicy is a warm call of a realistic scope policy (policytest's scope_narrow: forbidden scopes,
// scopes needing a role, a pattern check per scope), JSON in and out.
func BenchmarkScopePolicy(b *testing.B) {
	code, err := os.ReadFile("../policytest/testdata/scope_narrow.lua")
	if err != nil {
		b.Fatal(err)
	}
	p := benchPlugin(b, string(code), map[string]any{"forbidden": []any{"admin"},
		"require_role": map[string]any{"write": "editor", "email": "user"}})
	benchCall(b, p, policy.HookScopePolicy, benchScopeInput)
}

// BenchmarkTrivialHook is a warm call of a hook that answers at once.
func BenchmarkTrivialHook(b *testing.B) {
	p := benchPlugin(b, `return {abi = 1, consent = function(req) return {decision = "approve"} end}`, nil)
	benchCall(b, p, policy.HookConsent, string(policytest.Envelope(b, policy.HookConsent, `{"user": {"sub": "u"},
		"client": {"client_id": "c"}, "requested_scopes": ["openid"], "granted_scopes": ["openid"], "previously_consented": true}`)))
}

// BenchmarkScopePolicyParallel is the warm scope policy called from every CPU (the pool grows to match).
func BenchmarkScopePolicyParallel(b *testing.B) {
	code, err := os.ReadFile("../policytest/testdata/scope_narrow.lua")
	if err != nil {
		b.Fatal(err)
	}
	p := benchPlugin(b, string(code), map[string]any{"forbidden": []any{"admin"}})
	in := []byte(benchScopeInput)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Call(context.Background(), policy.HookScopePolicy, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
