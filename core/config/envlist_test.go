package config

import (
	"slices"
	"testing"
)

func TestEnvLists(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		env   []string
		want  []string // error lines (substrings); empty: loads
		check func(t *testing.T, s *Settings)
	}{
		{name: "comma-separated, spaces trimmed", env: []string{"ASSENTRY_TRUSTED_PROXIES= 10.0.0.0/8 ,192.168.1.1 "},
			check: func(t *testing.T, s *Settings) { eqList(t, s.TrustedProxies, "10.0.0.0/8", "192.168.1.1") }},
		{name: "one item", env: []string{"ASSENTRY_GRANT_TYPES=authorization_code"},
			check: func(t *testing.T, s *Settings) { eqList(t, s.Hosts[0].GrantTypes, "authorization_code") }},
		{name: "JSON list", env: []string{`ASSENTRY_CORS_ORIGINS= ["https://a.example.com", "https://b.example.com"]`},
			check: func(t *testing.T, s *Settings) {
				eqList(t, s.Hosts[0].CORSOrigins, "https://a.example.com", "https://b.example.com")
			}},
		{name: "JSON keeps commas", env: []string{`ASSENTRY_ROLES__NAMES=["a,b","c"]`, "ASSENTRY_ROLES__DEFAULT=c"},
			check: func(t *testing.T, s *Settings) { eqList(t, s.Hosts[0].Roles, "a,b", "c") }},
		{name: "replaces the file's list", yaml: "cors_origins: [https://file.example.com]\n",
			env:   []string{"ASSENTRY_CORS_ORIGINS=https://env.example.com"},
			check: func(t *testing.T, s *Settings) { eqList(t, s.Hosts[0].CORSOrigins, "https://env.example.com") }},
		{name: "empty JSON list sets none", yaml: "cors_origins: [https://file.example.com]\n",
			env:   []string{"ASSENTRY_CORS_ORIGINS=[]"},
			check: func(t *testing.T, s *Settings) { eqList(t, s.Hosts[0].CORSOrigins) }},
		{name: "empty value restores the default", yaml: "grant_types: [authorization_code]\n",
			env: []string{"ASSENTRY_GRANT_TYPES="},
			check: func(t *testing.T, s *Settings) {
				if len(s.Hosts[0].GrantTypes) < 2 {
					t.Errorf("grant_types %v: want the default", s.Hosts[0].GrantTypes)
				}
			}},
		{name: "reaches hosts that inherit it", yaml: `
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "https://b.example.com", code_challenge_methods: [plain, S256]}
`, env: []string{"ASSENTRY_CODE_CHALLENGE_METHODS=S256"},
			check: func(t *testing.T, s *Settings) {
				eqList(t, s.Hosts[0].CodeChallengeMethods, "S256")
				eqList(t, s.Hosts[1].CodeChallengeMethods, "plain", "S256")
			}},
		{name: "items are validated with their index", env: []string{"ASSENTRY_TRUSTED_PROXIES=10.0.0.0/8, nonsense"},
			want: []string{"trusted_proxies[1]"}},
		{name: "empty items", env: []string{"ASSENTRY_TRUSTED_PROXIES=10.0.0.1,,10.0.0.2", "ASSENTRY_CORS_ORIGINS=https://a.example.com,",
			`ASSENTRY_GRANT_TYPES=["authorization_code", ""]`},
			want: []string{"ASSENTRY_TRUSTED_PROXIES: trusted_proxies: item 2 of the comma-separated list is empty",
				"ASSENTRY_CORS_ORIGINS: cors_origins: item 2 of the comma-separated list is empty",
				"ASSENTRY_GRANT_TYPES: grant_types: item 2 of the JSON list: is empty"}},
		{name: "bad JSON", env: []string{`ASSENTRY_TRUSTED_PROXIES=["10.0.0.1"`, `ASSENTRY_CORS_ORIGINS=[{"origin": "x"}]`,
			`ASSENTRY_GRANT_TYPES=["a"] x`, `ASSENTRY_RESPONSE_TYPES=[null]`},
			want: []string{"ASSENTRY_TRUSTED_PROXIES: trusted_proxies: invalid JSON list",
				`ASSENTRY_CORS_ORIGINS: cors_origins: item 1 of the JSON list: want a string, got {"origin": "x"}`,
				"ASSENTRY_GRANT_TYPES: grant_types: invalid JSON list: text after the closing ]",
				"ASSENTRY_RESPONSE_TYPES: response_types: item 1 of the JSON list: want a string, got null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := loadYAML(t, tt.yaml, append([]string{kekEnv}, tt.env...)...)
			matchLines(t, "error", problemLines(t, err), tt.want)
			if tt.check != nil && s != nil {
				tt.check(t, s)
			}
		})
	}
}

func eqList(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) || (got == nil) != (want == nil) && len(want) > 0 {
		t.Errorf("got %q, want %q", got, want)
	}
}
