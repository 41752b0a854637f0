package config

import (
	"reflect"
	"testing"
	"time"
)

func TestHostInheritance(t *testing.T) {
	s, _, err := loadYAML(t, `
access_token_ttl: 30m
grant_types: [authorization_code, refresh_token]
registration: {key: 0123456789abcdef0123456789abcdef, algorithm: HS384}
argon2: {memory: 65536, iterations: 3}
builtin_policy: {claims: false}
scopes: [{name: shared, title: Shared}]
hosts:
  - id: a
    issuer: https://a.example.com
  - id: b
    issuer: https://b.example.com
    access_token_ttl: 5m
    grant_types: [authorization_code]
    registration: {algorithm: HS512}
    argon2: {iterations: 4}
    builtin_policy: {consent: false}
    scopes: [{name: own, title: Own}]
`, kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Hosts[0], s.Hosts[1]
	tests := []struct {
		name      string
		got, want any
	}{
		{name: "ids in order", got: []string{a.ID, b.ID}, want: []string{"a", "b"}},
		{name: "inherited scalar", got: a.AccessTokenTTL, want: 30 * time.Minute},
		{name: "own scalar wins", got: b.AccessTokenTTL, want: 5 * time.Minute},
		{name: "unset everywhere: default", got: b.RefreshTokenTTL, want: DefaultRefreshTokenTTL},
		{name: "inherited list", got: a.GrantTypes, want: []string{"authorization_code", "refresh_token"}},
		{name: "own list replaces", got: b.GrantTypes, want: []string{"authorization_code"}},
		{name: "list replaces, not appends", got: b.Scopes, want: []Scope{{Name: "own", Title: "Own"}}},
		{name: "section merged per key", got: [2]string{b.Registration.Key, b.Registration.Algorithm},
			want: [2]string{"0123456789abcdef0123456789abcdef", "HS512"}},
		{name: "section inherited", got: a.Registration.Algorithm, want: "HS384"},
		{name: "pointer section merged per key", got: [2]uint32{b.Argon2.Memory, b.Argon2.Iterations},
			want: [2]uint32{65536, 4}},
		{name: "map merged per key", got: b.BuiltinPolicy, want: map[string]bool{"validate_registration": true,
			"map_roles": true, "scope_policy": true, "consent": false, "claims": false}},
		{name: "issuer-derived defaults per host", got: []string{a.SiteName, b.Registration.LegacyHost},
			want: []string{"a.example.com", "b.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestHostRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "a bad inherited value is reported once, where it is written", yaml: `
code_ttl: -1s
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "https://b.example.com"}
  - {id: c, issuer: "https://c.example.com", code_ttl: 1m}
`, want: []string{"code_ttl: must be positive, got -1s (inherited by hosts[0], hosts[1])"}},
		{name: "an inherited client checked against each host", yaml: `
clients: [{client_id: c, grant_types: [refresh_token, authorization_code], redirect_uris: ["https://c.example.com/cb"]}]
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "https://b.example.com", grant_types: [authorization_code]}
`, want: []string{`clients[0].grant_types: "refresh_token" is not enabled on this host (its grant_types) (inherited by hosts[1])`}},
		{name: "two hosts on the default issuer", yaml: "hosts: [{id: a}, {id: b}]\n",
			want: []string{`hosts[1].issuer: "http://127.0.0.1:8080" is already the issuer of hosts[0]`}},
		{name: "shared issuer inherited", yaml: "issuer: https://a.example.com\nhosts: [{id: a}, {id: b}]\n",
			want: []string{`issuer: "https://a.example.com" is already the issuer of hosts[0] (inherited by hosts[1])`}},
		{name: "empty hosts list is the single host", yaml: "hosts: []\nid: main\n"},
	})
}
