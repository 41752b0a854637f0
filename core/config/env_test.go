package config

import (
	"testing"
	"time"
)

func TestEnvOverrides(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		env   []string
		want  []string // error lines (substrings); empty: loads
		check func(t *testing.T, s *Settings)
	}{
		{name: "duration", yaml: "access_token_ttl: 1h\n", env: []string{"ASSENTRY_ACCESS_TOKEN_TTL=30m"},
			check: func(t *testing.T, s *Settings) { eq(t, s.Hosts[0].AccessTokenTTL, 30*time.Minute) }},
		{name: "nested registration key", env: []string{"ASSENTRY_REGISTRATION__KEY=0123456789abcdef0123456789abcdef"},
			check: func(t *testing.T, s *Settings) {
				eq(t, s.Hosts[0].Registration.Enabled, true)
				eq(t, s.Hosts[0].Registration.Key, "0123456789abcdef0123456789abcdef")
			}},
		{name: "bool", yaml: "require_code_challenge: true\n", env: []string{"ASSENTRY_REQUIRE_CODE_CHALLENGE=false"},
			check: func(t *testing.T, s *Settings) { eq(t, s.Hosts[0].RequireCodeChallenge, false) }},
		{name: "top-level bool", yaml: "issuer: http://auth.example.com\n", env: []string{"ASSENTRY_ALLOW_INSECURE_ISSUER=true"},
			check: func(t *testing.T, s *Settings) { eq(t, s.Hosts[0].Issuer, "http://auth.example.com") }},
		{name: "ints", env: []string{"ASSENTRY_ARGON2__MEMORY=65536", "ASSENTRY_RATE_LIMITS__LOGIN_PER_IP__BURST=7"},
			check: func(t *testing.T, s *Settings) {
				eq(t, s.Hosts[0].Argon2.Memory, uint32(65536))
				eq(t, s.Hosts[0].Argon2.Iterations, uint32(2)) // the rest of the section keeps its default
				eq(t, s.Hosts[0].LoginPerIP, Bucket{Burst: 7, Every: Duration(3 * time.Second)})
			}},
		{name: "registration rate limit", env: []string{"ASSENTRY_RATE_LIMITS__REGISTER_PER_IP__EVERY=1m"},
			check: func(t *testing.T, s *Settings) {
				eq(t, s.Hosts[0].RegisterPerIP, Bucket{Burst: DefaultRegisterPerIPBurst, Every: Duration(time.Minute)})
			}},
		{name: "client authentication limits", env: []string{"ASSENTRY_RATE_LIMITS__CLIENT_AUTH_FAILURES_PER_CLIENT_IP__BURST=4",
			"ASSENTRY_RATE_LIMITS__CLIENT_AUTH_FAILURES_PER_IP__EVERY=2s"},
			check: func(t *testing.T, s *Settings) {
				eq(t, s.Hosts[0].ClientAuthPerClientIP, Bucket{Burst: 4, Every: Duration(DefaultClientAuthPerClientIPEvery)})
				eq(t, s.Hosts[0].ClientAuthPerIP, Bucket{Burst: DefaultClientAuthPerIPBurst, Every: Duration(2 * time.Second)})
			}},
		{name: "strings stay verbatim", env: []string{"ASSENTRY_SITE_NAME=null", "ASSENTRY_LISTEN=0.0.0.0:9000"},
			check: func(t *testing.T, s *Settings) {
				eq(t, s.Hosts[0].SiteName, "null")
				eq(t, s.Listen, "0.0.0.0:9000")
			}},
		{name: "map entry", env: []string{"ASSENTRY_BUILTIN_POLICY__CONSENT=false"},
			check: func(t *testing.T, s *Settings) { eq(t, s.Hosts[0].BuiltinPolicy["consent"], false) }},
		{name: "later variable wins", env: []string{"ASSENTRY_CODE_TTL=30s", "ASSENTRY_CODE_TTL=45s"},
			check: func(t *testing.T, s *Settings) { eq(t, s.Hosts[0].CodeTTL, 45*time.Second) }},
		{name: "empty value restores the default", yaml: "code_ttl: 30s\n", env: []string{"ASSENTRY_CODE_TTL="},
			check: func(t *testing.T, s *Settings) { eq(t, s.Hosts[0].CodeTTL, DefaultCodeTTL) }},
		{name: "reaches hosts that inherit the key", yaml: `
hosts:
  - {id: a, issuer: "https://a.example.com"}
  - {id: b, issuer: "https://b.example.com", session_ttl: 1h}
`, env: []string{"ASSENTRY_SESSION_TTL=2h"},
			check: func(t *testing.T, s *Settings) {
				eq(t, s.Hosts[0].SessionTTL, 2*time.Hour)
				eq(t, s.Hosts[1].SessionTTL, time.Hour) // a host's own value wins
			}},
		{name: "config path and other variables ignored", env: []string{"ASSENTRY_CONFIG=/etc/assentry.yaml", "ASSENTRY_TEST_POSTGRES_DSN=postgres://db/test", "HOME=/root", "assentry_lower=1", "ASSENTRY_NOVALUE"}},
		{name: "unknown variable", env: []string{"ASSENTRY_ACCESS_TOKEN_TTLL=1h", "ASSENTRY_NOTHING_LIKE_IT=1"},
			want: []string{"ASSENTRY_ACCESS_TOKEN_TTLL: unknown setting (did you mean ASSENTRY_ACCESS_TOKEN_TTL?)",
				"ASSENTRY_NOTHING_LIKE_IT: unknown setting: no configuration key maps to it"}},
		{name: "unknown nested variable", env: []string{"ASSENTRY_REGISTRATION__KYE=x", "ASSENTRY_ACCESS_TOKEN_TTL__X=1h"},
			want: []string{"ASSENTRY_REGISTRATION__KYE: unknown setting (did you mean ASSENTRY_REGISTRATION__KEY?)",
				"ASSENTRY_ACCESS_TOKEN_TTL__X: unknown setting"}},
		{name: "list of mappings", env: []string{"ASSENTRY_CLIENTS=x", "ASSENTRY_SCOPES=[]", "ASSENTRY_POLICIES__NAME=x"},
			want: []string{"ASSENTRY_CLIENTS: clients is a list of mappings; it is set in the config file only",
				"ASSENTRY_SCOPES: scopes is a list of mappings", "ASSENTRY_POLICIES__NAME: unknown setting"}},
		{name: "hosts variable", env: []string{"ASSENTRY_HOSTS__0__ISSUER=https://a.example.com"},
			want: []string{"ASSENTRY_HOSTS__0__ISSUER: hosts are configured in the file only"}},
		{name: "section variable", env: []string{"ASSENTRY_REGISTRATION=x", "ASSENTRY_BUILTIN_POLICY=x"},
			want: []string{"ASSENTRY_REGISTRATION: registration is a section: set one of its keys, as ASSENTRY_REGISTRATION__<KEY>",
				"ASSENTRY_BUILTIN_POLICY: builtin_policy is a map: set one entry, as ASSENTRY_BUILTIN_POLICY__<KEY>"}},
		{name: "bad values", env: []string{"ASSENTRY_ARGON2__MEMORY=lots", "ASSENTRY_REFRESH_ID_TOKEN=maybe", "ASSENTRY_CODE_TTL=60"},
			want: []string{`ASSENTRY_ARGON2__MEMORY: argon2.memory: invalid value "lots": want a non-negative integer`,
				`ASSENTRY_REFRESH_ID_TOKEN: refresh_id_token: invalid value "maybe": want true or false`,
				`ASSENTRY_CODE_TTL: code_ttl: invalid duration "60": want a number with a unit`}},
		{name: "overridden value is validated", env: []string{"ASSENTRY_ID_TOKEN_SIGNING_ALG=none"},
			want: []string{`id_token_signing_alg: "none" must be one of RS256, ES256, EdDSA`}},
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

func TestEnvWithoutFile(t *testing.T) {
	s, warns, err := Load("", []string{"ASSENTRY_ISSUER=https://auth.example.com", kekEnv})
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	eq(t, s.Hosts[0].Issuer, "https://auth.example.com")
}

func eq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
