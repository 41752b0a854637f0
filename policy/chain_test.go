package policy

import (
	"context"
	"strings"
	"testing"
)

func TestEnvelope(t *testing.T) {
	var l logs
	p := answer(HookClaims, `{"claims":{}}`)
	c := chainOf(t, testOptions(&l), "", p)
	ctx := WithRequestID(context.Background(), "req-ctx")
	if _, err := c.Claims(ctx, &ClaimsInput{Target: TargetIDToken}); err != nil {
		t.Fatal(err)
	}
	in := p.input(0)
	want := map[string]any{"abi": 1.0, "hook": "claims", "request_id": "req-ctx", "now": 1767225600.0, "host": "h1", "target": "id_token"}
	for k, v := range want {
		if in[k] != v {
			t.Errorf("%s = %v, want %v", k, in[k], v)
		}
	}
	explicit := &ClaimsInput{Envelope: Envelope{RequestID: "req-param", Now: 5}}
	if _, err := c.Claims(ctx, explicit); err != nil {
		t.Fatal(err)
	}
	if in := p.input(1); in["request_id"] != "req-param" || in["now"] != 5.0 {
		t.Errorf("explicit envelope fields replaced: %v", in)
	}
}

func TestBinding(t *testing.T) {
	both := &fake{answers: map[string]string{HookClaims: `{"claims":{"a":1}}`, HookScopePolicy: `{"granted_scopes":[]}`}}
	var l logs
	c, err := NewChain(testOptions(&l), Bound{Name: "p", Plugin: both, Hooks: []string{HookClaims}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Plugins(HookScopePolicy); len(got) != 0 {
		t.Fatalf("scope_policy bound to %v, want nothing (not in hooks)", got)
	}
	if got := c.Plugins(HookClaims); len(got) != 1 {
		t.Fatalf("claims bound to %v", got)
	}
	out, _ := c.ScopePolicy(context.Background(), &ScopePolicyInput{RequestedScopes: []string{"openid"}})
	if len(out.GrantedScopes) != 1 || both.calls() != 0 {
		t.Fatal("an unbound hook was called")
	}
	_, err = NewChain(testOptions(&l), Bound{Name: "p", Plugin: both, Hooks: []string{HookConsent}})
	if err == nil || !strings.Contains(err.Error(), "does not export") {
		t.Fatalf("binding an unexported hook: got %v", err)
	}
	if err := c.Close(context.Background()); err != nil || !both.closed.Load() {
		t.Fatalf("Close: %v, closed %v", err, both.closed.Load())
	}
}

func TestDecodeOutput(t *testing.T) {
	tests := []struct{ hook, in, wantErr string }{
		{HookMapRoles, `{"roles":["a"]}`, ""},
		{HookMapRoles, `{"roles":"a"}`, "roles: want an array, got string"},
		{HookMapRoles, `[]`, "decision: want an object, got array"},
		{HookMapRoles, `{}`, "roles: required"},
		{HookConsent, `{"decision":"approve","remember":"yes"}`, "remember: want a boolean"},
		{HookConsent, `{"error":{"description":"no code"}}`, `needs a "code"`},
		{HookConsent, `{"error":"x"}`, "decision: required"},
		{HookClaims, `{"claims":[]}`, "claims: want an object, got array"},
		{HookClaims, `{`, "not JSON"},
		{"nope", `{}`, "unknown hook"},
	}
	for _, tt := range tests {
		_, _, err := DecodeOutput(tt.hook, []byte(tt.in))
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s %s: got %v, want %q", tt.hook, tt.in, err, tt.wantErr)
		}
	}
	_, pe, err := DecodeOutput(HookConsent, []byte(`{"error":{"code":"c","description":"d"}}`))
	if err != nil || pe == nil || pe.Code != "c" || pe.Description != "d" {
		t.Errorf("declared error: got %+v, %v", pe, err)
	}
}

func TestParseLimits(t *testing.T) {
	l, err := ParseLimits(map[string]int{"timeout_ms": 250, "pool": 3})
	if err != nil || l.Timeout.Milliseconds() != 250 || l.Pool != 3 || l.MaxMemoryPages != DefaultMaxMemoryPages ||
		l.MaxInputBytes != DefaultMaxInputBytes || l.MaxOutputBytes != DefaultMaxOutputBytes {
		t.Fatalf("got %+v, %v", l, err)
	}
	for _, bad := range []map[string]int{{"timeout": 1}, {"pool": 0}} {
		if _, err := ParseLimits(bad); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

func TestRegistry(t *testing.T) {
	open := func(EngineOptions) (Engine, error) { return nil, nil }
	r, err := NewRegistry(EngineFactory{Kind: "lua", Extensions: []string{".lua"}, Open: open},
		EngineFactory{Kind: "wasm", Extensions: []string{".wasm"}, Open: open})
	if err != nil {
		t.Fatal(err)
	}
	if k, err := r.KindFor("/x/Plugin.LUA"); err != nil || k != "lua" {
		t.Errorf("KindFor = %q, %v", k, err)
	}
	if _, err := r.KindFor("x.js"); err == nil || !strings.Contains(err.Error(), ".lua, .wasm") {
		t.Errorf("unknown extension: %v", err)
	}
	if _, err := NewRegistry(EngineFactory{Kind: "lua", Extensions: []string{".lua"}, Open: open},
		EngineFactory{Kind: "lua2", Extensions: []string{".lua"}, Open: open}); err == nil {
		t.Error("a duplicate extension was accepted")
	}
	if _, err := NewRegistry(EngineFactory{Kind: "", Extensions: []string{".x"}, Open: open}); err == nil {
		t.Error("an empty kind was accepted")
	}
}
