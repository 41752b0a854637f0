package policy

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestMapRoles(t *testing.T) {
	tests := []struct {
		name       string
		plugins    []*fake
		onError    string
		builtinOff bool // builtin_policy: {map_roles: false}
		in         MapRolesInput
		wantRoles  []string
		wantClaims map[string]any
		wantErr    bool
		wantLog    string
	}{
		{name: "starts from the user's roles", in: MapRolesInput{User: User{Roles: []string{"user", "user"}}},
			wantRoles: []string{"user"}},
		{name: "catalogue roles may be added, others are dropped",
			plugins:   []*fake{answer(HookMapRoles, `{"roles":["user","editor","root"]}`)},
			in:        MapRolesInput{Roles: []string{"user"}},
			wantRoles: []string{"user", "editor"}, wantLog: `"role":"root"`},
		{name: "a role not in the catalogue may be kept",
			plugins:   []*fake{answer(HookMapRoles, `{"roles":["legacy","admin"]}`)},
			in:        MapRolesInput{Roles: []string{"legacy"}},
			wantRoles: []string{"legacy", "admin"}},
		{name: "roles may be removed", plugins: []*fake{answer(HookMapRoles, `{"roles":[]}`)},
			in: MapRolesInput{Roles: []string{"user", "admin"}}, wantRoles: []string{}},
		{name: "each plugin gets the previous roles; claims merge, later wins",
			plugins: []*fake{answer(HookMapRoles, `{"roles":["user","editor"],"claims":{"a":1,"b":1}}`),
				answer(HookMapRoles, `{"roles":["editor"],"claims":{"b":2,"sub":"evil","iss":"evil"}}`)},
			in:        MapRolesInput{Roles: []string{"user"}},
			wantRoles: []string{"editor"}, wantClaims: map[string]any{"a": 1.0, "b": 2.0}, wantLog: `"claim":"sub"`},
		{name: "too many claims fail closed",
			plugins: []*fake{answer(HookMapRoles, `{"roles":[],"claims":{"c1":1,"c2":2,"c3":3,"c4":4,"c5":5}}`)},
			in:      MapRolesInput{}, wantErr: true},
		{name: "claims too large fail closed",
			plugins: []*fake{answer(HookMapRoles, `{"roles":[],"claims":{"c":"`+strings.Repeat("x", 300)+`"}}`)},
			in:      MapRolesInput{}, wantErr: true},
		{name: "too many claims skipped",
			plugins: []*fake{answer(HookMapRoles, `{"roles":["admin"],"claims":{"c1":1,"c2":2,"c3":3,"c4":4,"c5":5}}`)},
			onError: OnErrorSkip, in: MapRolesInput{Roles: []string{"user"}}, wantRoles: []string{"user"}},
		{name: "built-in off: no roles without a plugin", builtinOff: true,
			in: MapRolesInput{User: User{Roles: []string{"user"}}, Roles: []string{"user", "admin"}}, wantRoles: []string{}},
		{name: "built-in off: the plugins alone decide, within the catalogue", builtinOff: true,
			plugins:   []*fake{answer(HookMapRoles, `{"roles":["editor","legacy"]}`)},
			in:        MapRolesInput{Roles: []string{"user", "legacy"}},
			wantRoles: []string{"editor"}, wantLog: `"role":"legacy"`},
		{name: "roles must be an array", plugins: []*fake{answer(HookMapRoles, `{"roles":{"admin":true}}`)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l logs
			opts := testOptions(&l)
			opts.MaxClaims, opts.MaxClaimsBytes = 4, 200
			if tt.builtinOff {
				opts.BuiltinPolicy = map[string]bool{HookMapRoles: false}
			}
			c := chainOf(t, opts, tt.onError, tt.plugins...)
			out, err := c.MapRoles(context.Background(), &tt.in)
			if tt.wantErr {
				if !IsFailClosed(err) || !IsFailure(err, FailOutput) {
					t.Fatalf("got (%+v, %v), want a fail-closed invalid_output", out, err)
				}
				return
			}
			if err != nil || !slices.Equal(out.Roles, tt.wantRoles) || out.Roles == nil {
				t.Fatalf("got (%+v, %v), want roles %v", out, err, tt.wantRoles)
			}
			if len(out.Claims) != len(tt.wantClaims) {
				t.Fatalf("claims %v, want %v", out.Claims, tt.wantClaims)
			}
			for k, v := range tt.wantClaims {
				if out.Claims[k] != v {
					t.Fatalf("claims %v, want %v", out.Claims, tt.wantClaims)
				}
			}
			if !strings.Contains(l.String(), tt.wantLog) {
				t.Fatalf("log lacks %s: %s", tt.wantLog, l.String())
			}
		})
	}
}

func TestClaims(t *testing.T) {
	var l logs
	opts := testOptions(&l)
	opts.Builtin.Claims = func(context.Context, *ClaimsInput) (*ClaimsOutput, error) {
		return &ClaimsOutput{Claims: map[string]any{"name": "Alice", "locale": "en"}}, nil
	}
	c := chainOf(t, opts, "",
		answer(HookClaims, `{"claims":{"locale":"fr","dept":"x","aud":"evil","nonce":"n"}}`),
		&fake{answers: map[string]string{HookClaims: `{"claims":"nope"}`}},    // wrong shape: skipped by default
		answer(HookClaims, `{"claims":{"dept":"y","name":null,"gone":null}}`), // null removes a claim
		answer(HookClaims, `{}`))
	out, err := c.Claims(context.Background(), &ClaimsInput{Target: TargetUserinfo})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"locale": "fr", "dept": "y"}
	if len(out.Claims) != len(want) || out.Claims["locale"] != "fr" || out.Claims["dept"] != "y" {
		t.Fatalf("claims %v, want %v", out.Claims, want)
	}
	for _, s := range []string{`"claim":"aud"`, `"claim":"nonce"`, `"plugin":"p2"`, `"kind":"invalid_output"`} {
		if !strings.Contains(l.String(), s) {
			t.Errorf("log lacks %s: %s", s, l.String())
		}
	}
	off := testOptions(&l)
	off.Builtin, off.BuiltinPolicy = opts.Builtin, map[string]bool{HookClaims: false}
	out, err = chainOf(t, off, "").Claims(context.Background(), &ClaimsInput{})
	if err != nil || out.Claims == nil || len(out.Claims) != 0 {
		t.Fatalf("builtin off: got (%+v, %v), want no claims", out, err)
	}
}
