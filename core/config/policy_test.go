package config

import "testing"

func TestArgon2AndRateLimitRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "owasp equivalents", yaml: "argon2: {memory: 12288, iterations: 3, max_concurrent: 8}\n"},
		{name: "weak parameters warn", yaml: "argon2: {memory: 1024, iterations: 1}\n",
			warn: []string{"argon2: memory 1024 KiB with 1 iterations is below OWASP's recommendation"}},
		{name: "below argon2's minimum", yaml: "argon2: {memory: 64, parallelism: 16}\n",
			want: []string{"argon2.memory: 64 KiB is below argon2's minimum of 8 KiB per lane (parallelism 16)"}},
		{name: "negative max concurrent", yaml: "argon2: {max_concurrent: -1}\n",
			want: []string{"argon2.max_concurrent: must not be negative"}},
		{name: "rate limits", yaml: "rate_limits: {login_per_ip: {burst: 5}, login_per_username: {every: 1m}, register_per_ip: {burst: 3, every: 1h}}\n"},
		{name: "bad rate limits", yaml: "rate_limits: {login_per_ip: {burst: -1}, login_per_username: {every: -1s}, register_per_ip: {burst: -2, every: -1m}, par_per_ip: {burst: -3}}\n",
			want: []string{"rate_limits.login_per_ip.burst: must be at least 1, got -1",
				"rate_limits.login_per_username.every: must be positive, got -1s",
				"rate_limits.register_per_ip.burst: must be at least 1, got -2",
				"rate_limits.register_per_ip.every: must be positive, got -1m0s",
				"rate_limits.par_per_ip.burst: must be at least 1, got -3"}},
		{name: "client authentication limits", yaml: "rate_limits: {client_auth_failures_per_client_ip: {burst: 5, every: 12s}, client_auth_failures_per_ip: {every: 2s}}\n"},
		{name: "bad client authentication limits", yaml: "rate_limits: {client_auth_failures_per_client_ip: {burst: -1}, client_auth_failures_per_ip: {every: -1s}}\n",
			want: []string{"rate_limits.client_auth_failures_per_client_ip.burst: must be at least 1, got -1",
				"rate_limits.client_auth_failures_per_ip.every: must be positive, got -1s"}},
	})
}

func TestPolicyRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "policies", yaml: `
builtin_policy: {consent: false, claims: true}
policies:
  - name: reg
    lua: ./reg.lua
    hooks: [validate_registration]
    config: {allowed_hosts: [example.com], nested: {any: [1, 2]}}
    limits: {timeout_ms: 100, max_memory_pages: 512, pool: 8, max_input_bytes: 65536}
    on_error: {validate_registration: skip}
  - name: consent
    wasm: ./consent.wasm
    on_error: {consent: ask, claims: skip, map_roles: fail_closed}
    isolate_calls: true
    on_load_error: keep_last_good
`},
		{name: "on_load_error", yaml: "policies: [{name: p, lua: a.lua, on_load_error: keep_last}, {name: q, lua: b.lua, on_load_error: fail}]\n",
			want: []string{`policies[0].on_load_error: "keep_last" must be fail or keep_last_good`}},
		{name: "unknown builtin hook", yaml: "builtin_policy: {consnet: false}\n",
			want: []string{"builtin_policy.consnet: unknown hook (hooks: validate_registration, map_roles, scope_policy, consent, claims)"}},
		{name: "names and sources", yaml: `
policies:
  - lua: a.lua
  - {name: p, lua: a.lua, wasm: a.wasm}
  - {name: p}
`, want: []string{"policies[0].name: required", "policies[1]: set lua or wasm, not both",
			`policies[2].name: "p" is used twice`, "policies[2]: needs lua: <file> or wasm: <file>"}},
		{name: "hooks", yaml: "policies: [{name: p, lua: a.lua, hooks: [consent, concent, consent]}]\n",
			want: []string{`policies[0].hooks: unknown hook "concent"`, `policies[0].hooks: "consent" is listed twice`}},
		{name: "on_error values", yaml: `
policies:
  - name: p
    lua: a.lua
    on_error: {consent: skip, claims: ask, map_roles: retry, scope_polcy: skip}
`, want: []string{"policies[0].on_error.consent: skip is not allowed for consent",
			"policies[0].on_error.claims: ask is for consent only",
			`policies[0].on_error.map_roles: "retry" must be fail_closed, skip, or ask (consent only)`,
			"policies[0].on_error.scope_polcy: unknown hook"}},
		{name: "on_error for an unbound hook", yaml: "policies: [{name: p, lua: a.lua, hooks: [consent], on_error: {claims: skip}}]\n",
			want: []string{"policies[0].on_error.claims: the policy does not bind this hook"}},
		{name: "limits", yaml: "policies: [{name: p, lua: a.lua, limits: {timeout: 5, pool: 0}}]\n",
			want: []string{"policies[0].limits.pool: must be positive, got 0",
				"policies[0].limits.timeout: unknown limit (limits: timeout_ms, max_memory_pages, pool, max_input_bytes)"}},
	})
}

func TestPolicyDefaults(t *testing.T) {
	s, _, err := loadYAML(t, `
builtin_policy: {consent: false}
policies:
  - {name: all, lua: a.lua, on_error: {map_roles: skip}}
  - {name: two, lua: b.lua, hooks: [consent, claims]}
`, kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Hosts[0]
	tests := []struct {
		name      string
		got, want map[string]string
	}{
		{name: "every hook, ABI defaults", got: h.Policies[0].OnError, want: map[string]string{
			"validate_registration": "fail_closed", "map_roles": "skip", "scope_policy": "fail_closed",
			"consent": "ask", "claims": "skip"}},
		{name: "bound hooks only", got: h.Policies[1].OnError, want: map[string]string{"consent": "ask", "claims": "skip"}},
	}
	if got := h.Policies[0].OnLoadError; got != "fail" {
		t.Errorf("on_load_error: got %q, want the default fail", got)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.got) != len(tt.want) {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
			for k, v := range tt.want {
				if tt.got[k] != v {
					t.Errorf("%s: got %q, want %q", k, tt.got[k], v)
				}
			}
		})
	}
	wantBuiltin := map[string]bool{"validate_registration": true, "map_roles": true, "scope_policy": true,
		"consent": false, "claims": true}
	for k, v := range wantBuiltin {
		if h.BuiltinPolicy[k] != v || len(h.BuiltinPolicy) != len(wantBuiltin) {
			t.Errorf("builtin_policy %v, want %v", h.BuiltinPolicy, wantBuiltin)
			break
		}
	}
}
