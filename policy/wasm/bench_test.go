package wasm

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
)

// Benchmarks of the ABI round trip: a warm call of a hand-written WAT policy, of AssemblyScript policies and of
// standard Go guests, and the cost of creating an instance (what a pool miss or a refill costs).

const benchUser = `{"sub":"u-alice","username":"alice","roles":["user","editor"],"groups":["staff","other"],"email":"alice@example.com","email_verified":true}`

var benchScopeInput = []byte(`{"abi":1,"hook":"scope_policy","request_id":"req-1","now":1767225600,"host":"h1",` +
	`"flow":"authorization_code","user":` + benchUser + `,` +
	`"client":{"client_id":"app-1","client_name":"App One","allowed_scopes":["openid","profile","email","write","admin:users"]},` +
	`"requested_scopes":["openid","profile","email","write","admin:users"],` +
	`"granted_scopes":["openid","profile","email","write","admin:users"]}`)

var benchConsentInput = []byte(`{"abi":1,"hook":"consent","request_id":"req-1","now":1767225600,"host":"h1",` +
	`"user":` + benchUser + `,"client":{"client_id":"portal","client_name":"Portal","client_uri":"https://portal.example.com/"},` +
	`"requested_scopes":["openid","profile"],"granted_scopes":["openid","profile"],"previously_consented":false}`)

var benchClaimsInput = []byte(`{"abi":1,"hook":"claims","request_id":"req-1","now":1767225600,"host":"h1",` +
	`"user":` + benchUser + `,"client":{"client_id":"portal"},"scopes":["openid","groups","email"],"target":"id_token"}`)

type benchPlugin struct {
	name, file, hook string
	config           map[string]any
	input            []byte
}

var benchPlugins = []benchPlugin{
	{"wat/scope_policy", "../../plugins/sdk/wat/scope-policy.wasm", policy.HookScopePolicy, nil, benchScopeInput},
	{"assemblyscript/scope_policy", "../policytest/testdata/scope_narrow.wasm", policy.HookScopePolicy,
		map[string]any{"forbidden": []any{"admin:users"}, "require_role": map[string]any{"write": "editor"}}, benchScopeInput},
	{"assemblyscript/consent", "../../plugins/first-party-consent-wasm/first-party-consent.wasm", policy.HookConsent,
		map[string]any{"client_ids": []any{"portal"}}, benchConsentInput},
	{"go/consent", "../../examples/policies/consent-go/consent.wasm", policy.HookConsent,
		map[string]any{"descriptions": map[string]any{"profile": "Your name"}}, benchConsentInput},
	{"go/claims", "../../plugins/extra-claims/extra-claims.wasm", policy.HookClaims,
		map[string]any{"claims": []any{map[string]any{"claim": "preferred_username", "from": "username"},
			map[string]any{"claim": "groups", "from": "groups", "scope": "groups"}}}, benchClaimsInput},
}

func loadBench(b testing.TB, bp benchPlugin, pool int) *plugin {
	return loadBenchIsolated(b, bp, pool, false)
}

func loadBenchIsolated(b testing.TB, bp benchPlugin, pool int, isolate bool) *plugin {
	b.Helper()
	code, err := os.ReadFile(bp.file)
	if err != nil {
		b.Fatal(err)
	}
	e, _ := newEngine(b)
	// A generous deadline: these measure speed, and a standard Go guest's own garbage collection can hold one
	// call for tens of milliseconds on a loaded machine (20 ms at most, measured idle).
	p, err := e.Load(context.Background(), policy.Source{Name: bp.name, Code: code, Config: bp.config, Host: "h1",
		Limits: policy.Limits{Pool: pool, Timeout: 5 * time.Second}, Isolate: isolate})
	if err != nil {
		b.Fatal(err)
	}
	return p.(*plugin)
}

// BenchmarkCall is one warm call: a pooled instance, the input buffer reused, the deadline armed.
func BenchmarkCall(b *testing.B) {
	for _, bp := range benchPlugins {
		b.Run(bp.name, func(b *testing.B) {
			p := loadBench(b, bp, 1)
			ctx := context.Background()
			if _, err := p.Call(ctx, bp.hook, bp.input); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := p.Call(ctx, bp.hook, bp.input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCallIsolated is BenchmarkCall with isolation (isolate_calls): the difference is the cost of putting
// the instance back into its state after init, a copy of its memory.
func BenchmarkCallIsolated(b *testing.B) {
	for _, bp := range benchPlugins {
		b.Run(bp.name, func(b *testing.B) {
			p := loadBenchIsolated(b, bp, 1, true)
			ctx := context.Background()
			if _, err := p.Call(ctx, bp.hook, bp.input); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := p.Call(ctx, bp.hook, bp.input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCallParallel is warm calls from every core on a pool of 8.
func BenchmarkCallParallel(b *testing.B) {
	for _, bp := range benchPlugins[:3] {
		b.Run(bp.name, func(b *testing.B) {
			p := loadBench(b, bp, 8)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := p.Call(context.Background(), bp.hook, bp.input); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkInstantiate is the creation of one instance: instantiation, _initialize, the input buffer and
// assentry_init (compilation is done once, at Load).
func BenchmarkInstantiate(b *testing.B) {
	for _, bp := range []benchPlugin{benchPlugins[0], benchPlugins[2], benchPlugins[3]} {
		b.Run(bp.name, func(b *testing.B) {
			p := loadBench(b, bp, 1)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				in, err := p.newInstance(ctx, false)
				if err != nil {
					b.Fatal(err)
				}
				in.close()
			}
		})
	}
}

// BenchmarkRoundTrip is the engine's own cost: a hook that answers a constant (decide.wat's
// validate_registration) with a 500-byte input.
func BenchmarkRoundTrip(b *testing.B) {
	p := loadBench(b, benchPlugin{name: "decide", file: "testdata/decide.wasm"}, 1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Call(ctx, policy.HookValidateRegistration, benchScopeInput); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstrument is the load-time rewrite of a standard Go guest (2 MB).
func BenchmarkInstrument(b *testing.B) {
	bin, err := os.ReadFile("../../plugins/extra-claims/extra-claims.wasm")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(bin)))
	for b.Loop() {
		if _, err := instrument(bin); err != nil {
			b.Fatal(err)
		}
	}
}
