package policy_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
)

var benchBuiltin = policy.Builtin{ScopePolicy: func(_ context.Context, in *policy.ScopePolicyInput) (*policy.ScopePolicyOutput, error) {
	return &policy.ScopePolicyOutput{GrantedScopes: in.GrantedScopes}, nil
}}

func benchInput() *policy.ScopePolicyInput {
	return &policy.ScopePolicyInput{Flow: policy.FlowAuthorizationCode,
		User:            &policy.User{Sub: "u-7d1f", Username: "alice", Roles: []string{"user", "editor"}, Groups: []string{"staff"}},
		Client:          policy.Client{ClientID: "portal", ClientName: "Portal", AllowedScopes: []string{"openid", "profile", "email", "write", "admin"}},
		RequestedScopes: []string{"openid", "profile", "email", "write", "admin"}}
}

func benchChain(b *testing.B, c *policy.Chain) {
	ctx := policy.WithRequestID(context.Background(), "0f8c2b")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ScopePolicy(ctx, benchInput()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChainBuiltinOnly is the chain's own cost when no plugin is configured: what every request pays.
func BenchmarkChainBuiltinOnly(b *testing.B) {
	c, err := policy.NewChain(policy.Options{Host: "default", Builtin: benchBuiltin})
	if err != nil {
		b.Fatal(err)
	}
	benchChain(b, c)
}

// BenchmarkChainLuaScope is scope_policy through the chain with the built-in policy and one Lua plugin: the
// added latency of a policy-enabled grant.
func BenchmarkChainLuaScope(b *testing.B) {
	code, err := os.ReadFile("policytest/testdata/scope_narrow.lua")
	if err != nil {
		b.Fatal(err)
	}
	p, err := lua.New(lua.Options{}).Load(context.Background(), policy.Source{Name: "scope", Code: code, Host: "default",
		Limits: policy.Limits{Timeout: 10 * time.Second},
		Config: map[string]any{"forbidden": []any{"admin"}, "require_role": map[string]any{"write": "editor"}}})
	if err != nil {
		b.Fatal(err)
	}
	c, err := policy.NewChain(policy.Options{Host: "default", Builtin: benchBuiltin, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		policy.Bound{Name: "scope", Plugin: p})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close(context.Background()) })
	benchChain(b, c)
}
