package policy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestScopePolicy(t *testing.T) {
	builtinDrop := func(drop string) Builtin {
		return Builtin{ScopePolicy: func(_ context.Context, in *ScopePolicyInput) (*ScopePolicyOutput, error) {
			out := &ScopePolicyOutput{}
			for _, s := range in.GrantedScopes {
				if s != drop {
					out.GrantedScopes = append(out.GrantedScopes, s)
				}
			}
			return out, nil
		}}
	}
	tests := []struct {
		name       string
		builtin    Builtin
		builtinOff bool
		plugins    []*fake
		in         ScopePolicyInput
		want       []string
		wantDenied int
		deciders   []string // DecidedBy of each Denied entry, when checked
		wantErr    bool
	}{
		{name: "no policy: requested ∩ allowed",
			in:   ScopePolicyInput{RequestedScopes: []string{"openid", "admin", "openid"}, Client: Client{AllowedScopes: []string{"openid", "profile"}}},
			want: []string{"openid"}},
		{name: "given granted limited to requested",
			in:   ScopePolicyInput{RequestedScopes: []string{"openid"}, GrantedScopes: []string{"openid", "profile"}},
			want: []string{"openid"}},
		{name: "builtin then plugins narrow", builtin: builtinDrop("admin"),
			plugins: []*fake{answer(HookScopePolicy, `{"granted_scopes":["openid","profile"],"denied":[{"scope":"write","reason":"r"}]}`),
				answer(HookScopePolicy, `{"granted_scopes":["profile"],"denied":[{"scope":"openid"}]}`)},
			in:   ScopePolicyInput{RequestedScopes: []string{"openid", "profile", "write", "admin"}},
			want: []string{"profile"}, wantDenied: 2, deciders: []string{"p1", "p2"}},
		{name: "a plugin cannot widen",
			plugins: []*fake{answer(HookScopePolicy, `{"granted_scopes":["openid","admin","extra"]}`)},
			in:      ScopePolicyInput{RequestedScopes: []string{"openid", "admin"}, Client: Client{AllowedScopes: []string{"openid"}}},
			want:    []string{"openid"}},
		{name: "builtin switched off", builtin: builtinDrop("admin"), builtinOff: true,
			in: ScopePolicyInput{RequestedScopes: []string{"openid", "admin"}}, want: []string{"openid", "admin"}},
		{name: "wrong shape fails closed",
			plugins: []*fake{answer(HookScopePolicy, `{"granted_scopes":"openid"}`)},
			in:      ScopePolicyInput{RequestedScopes: []string{"openid"}}, wantErr: true},
		{name: "missing granted_scopes fails closed",
			plugins: []*fake{answer(HookScopePolicy, `{"denied":[]}`)},
			in:      ScopePolicyInput{RequestedScopes: []string{"openid"}}, wantErr: true},
		{name: "empty grant", plugins: []*fake{answer(HookScopePolicy, `{"granted_scopes":[]}`)},
			in: ScopePolicyInput{RequestedScopes: []string{"openid"}}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l logs
			opts := testOptions(&l)
			opts.Builtin = tt.builtin
			if tt.builtinOff {
				opts.BuiltinPolicy = map[string]bool{HookScopePolicy: false}
			}
			c := chainOf(t, opts, "", tt.plugins...)
			out, err := c.ScopePolicy(context.Background(), &tt.in)
			if tt.wantErr {
				if !IsFailClosed(err) || !IsFailure(err, FailOutput) {
					t.Fatalf("got (%+v, %v), want a fail-closed invalid_output", out, err)
				}
				return
			}
			if err != nil || !slices.Equal(out.GrantedScopes, tt.want) || out.GrantedScopes == nil || len(out.Denied) != tt.wantDenied {
				t.Fatalf("got (%+v, %v), want %v with %d denied", out, err, tt.want, tt.wantDenied)
			}
			for i, by := range tt.deciders {
				if out.Denied[i].DecidedBy != by {
					t.Errorf("denied[%d] decided by %q, want %q", i, out.Denied[i].DecidedBy, by)
				}
			}
		})
	}
}

// Each plugin sees the scopes granted so far; the caller's input is not modified.
func TestScopePolicyPassesGrantedAlong(t *testing.T) {
	var l logs
	p1 := answer(HookScopePolicy, `{"granted_scopes":["openid"]}`)
	p2 := answer(HookScopePolicy, `{"granted_scopes":["openid"]}`)
	c := chainOf(t, testOptions(&l), "", p1, p2)
	in := &ScopePolicyInput{RequestedScopes: []string{"openid", "profile"}}
	if _, err := c.ScopePolicy(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if got := p2.input(0)["granted_scopes"]; len(got.([]any)) != 1 {
		t.Fatalf("second plugin saw granted_scopes %v, want [openid]", got)
	}
	if in.GrantedScopes != nil || in.Envelope != (Envelope{}) {
		t.Fatalf("the caller's input was modified: %+v", in)
	}
}

func TestOnErrorScope(t *testing.T) {
	var l logs
	bad := failing(HookScopePolicy, FailDeadline)
	good := answer(HookScopePolicy, `{"granted_scopes":["openid"]}`)
	in := &ScopePolicyInput{RequestedScopes: []string{"openid", "profile"}}

	c := chainOf(t, testOptions(&l), OnErrorSkip, bad, good)
	out, err := c.ScopePolicy(context.Background(), in)
	if err != nil || !slices.Equal(out.GrantedScopes, []string{"openid"}) {
		t.Fatalf("skip: got (%+v, %v), want the next plugin's answer", out, err)
	}
	c = chainOf(t, testOptions(&l), OnErrorFailClosed, bad, good)
	_, err = c.ScopePolicy(context.Background(), in)
	var fc *FailClosedError
	if !errors.As(err, &fc) || fc.Plugin != "p1" || fc.Hook != HookScopePolicy || !IsFailure(err, FailDeadline) {
		t.Fatalf("fail_closed: got %v", err)
	}
	if good.calls() != 1 {
		t.Fatalf("the plugin after a fail-closed one ran %d times, want 1 (from the skip chain only)", good.calls())
	}
	for _, want := range []string{`"msg":"policy plugin failed"`, `"plugin":"p1"`, `"hook":"scope_policy"`, `"kind":"deadline"`,
		`"on_error":"skip"`, `"on_error":"fail_closed"`, `"duration_ms":`, `"level":"ERROR"`} {
		if !strings.Contains(l.String(), want) {
			t.Errorf("log lacks %s: %s", want, l.String())
		}
	}
}

// Resources (RFC 8707) go to each plugin as resource, the ones left so far; granted_resources narrows them (a
// resource a plugin adds is ignored); a plugin that leaves granted_resources out keeps them; without resources in
// the input, the answer has none whatever the plugins say.
func TestScopePolicyResources(t *testing.T) {
	const api, cal, other = "https://api.example.com/", "https://cal.example.com/", "https://other.example.com/"
	tests := []struct {
		name    string
		answers []string
		in      []string
		want    []string
		seen    []any // resource as the last plugin saw it; nil: absent
	}{
		{name: "narrowed in turn", in: []string{api, cal},
			answers: []string{`{"granted_scopes":["openid"],"granted_resources":["` + api + `","` + cal + `","` + other + `"]}`,
				`{"granted_scopes":["openid"],"granted_resources":["` + cal + `"]}`},
			want: []string{cal}, seen: []any{api, cal}},
		{name: "left out keeps them", in: []string{api},
			answers: []string{`{"granted_scopes":["openid"]}`}, want: []string{api}, seen: []any{api}},
		{name: "refused", in: []string{api},
			answers: []string{`{"granted_scopes":["openid"],"granted_resources":[]}`}, want: []string{}, seen: []any{api}},
		{name: "none requested", answers: []string{`{"granted_scopes":["openid"],"granted_resources":["` + api + `"]}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l logs
			var plugins []*fake
			for _, a := range tt.answers {
				plugins = append(plugins, answer(HookScopePolicy, a))
			}
			c := chainOf(t, testOptions(&l), "", plugins...)
			out, err := c.ScopePolicy(context.Background(), &ScopePolicyInput{RequestedScopes: []string{"openid"},
				Resource: tt.in})
			if err != nil || !slices.Equal(out.GrantedResources, tt.want) || (tt.want != nil) != (out.GrantedResources != nil) {
				t.Fatalf("got (%+v, %v), want resources %q", out, err, tt.want)
			}
			got, ok := plugins[0].input(0)["resource"]
			if tt.seen == nil {
				if ok {
					t.Fatalf("resource %v sent without resources", got)
				}
				return
			}
			if first, _ := got.([]any); !slices.Equal(first, tt.seen) {
				t.Fatalf("the first plugin saw resource %v, want %v", got, tt.seen)
			}
		})
	}
}
