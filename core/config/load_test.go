package config

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNoFileIsTheDevelopmentHost(t *testing.T) {
	s, warns, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := warningLines(warns); len(got) != 1 || !strings.Contains(got[0], "running without key_encryption_key") {
		t.Errorf("warnings %q, want only the key_encryption_key one", got)
	}
	if s.Listen != "127.0.0.1:8080" || s.DataDir != "./data" || s.LogLevel != "info" || s.TrustedProxies != nil {
		t.Errorf("top level: %+v", s)
	}
	if len(s.Hosts) != 1 {
		t.Fatalf("%d hosts, want 1", len(s.Hosts))
	}
	h := s.Hosts[0]
	if h.IssuerURL == nil || h.IssuerURL.String() != "http://127.0.0.1:8080" {
		t.Errorf("IssuerURL %v", h.IssuerURL)
	}
	h.IssuerURL = nil
	want := HostSettings{
		ID:             "default",
		Hostnames:      []string{"127.0.0.1:8080"},
		Issuer:         "http://127.0.0.1:8080",
		SiteName:       "127.0.0.1",
		SecurityPolicy: "default-src 'self'",
		HSTSMaxAge:     365 * 24 * time.Hour,

		AccessTokenTTL:   time.Hour,
		RefreshTokenTTL:  168 * time.Hour,
		IDTokenTTL:       time.Hour,
		CodeTTL:          60 * time.Second,
		DeviceCodeTTL:    10 * time.Minute,
		PushedRequestTTL: time.Minute,
		SessionTTL:       24 * time.Hour,

		Registration: RegistrationSettings{Algorithm: "HS256", LegacyHost: "127.0.0.1"},
		ClientIDMetadataDocuments: ClientIDMetadataDocumentSettings{MaxBytes: 5120, Timeout: 5 * time.Second,
			CacheMinAge: time.Minute, CacheMaxAge: 24 * time.Hour, CacheEntries: 1000,
			MaxFetches: 32, MaxFetchesPerHost: 4, FailureCacheTTL: 30 * time.Second, FailureCacheEntries: 1000},

		GrantTypes:           []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"},
		ResponseTypes:        []string{"code"},
		RequireCodeChallenge: true,
		CodeChallengeMethods: []string{"S256"},

		Roles:       []string{"user"},
		DefaultRole: "user",

		IDTokenSigningAlg:   "RS256",
		KeyRotationInterval: 720 * time.Hour,
		KeyPublishAhead:     15 * time.Minute,
		SubjectFormat:       "opaque",
		RefreshIDToken:      true,

		Argon2:                Argon2{Memory: 19456, Iterations: 2, Parallelism: 1, MaxConcurrent: defaultMaxConcurrent()},
		LoginPerIP:            Bucket{Burst: 20, Every: Duration(3 * time.Second)},
		LoginPerUser:          Bucket{Burst: 10, Every: Duration(30 * time.Second)},
		RegisterPerIP:         Bucket{Burst: 20, Every: Duration(30 * time.Second)},
		PushPerIP:             Bucket{Burst: 50, Every: Duration(200 * time.Millisecond)},
		DeviceCodePerIP:       Bucket{Burst: 10, Every: Duration(30 * time.Second)},
		DeviceCodePerBrowser:  Bucket{Burst: 5, Every: Duration(time.Minute)},
		ClientAuthPerClientIP: Bucket{Burst: 10, Every: Duration(6 * time.Second)},
		ClientAuthPerIP:       Bucket{Burst: 50, Every: Duration(1200 * time.Millisecond)},
		DPoPProofsPerIP:       Bucket{Burst: 600, Every: Duration(100 * time.Millisecond)},
		BuiltinPolicy: map[string]bool{"validate_registration": true, "map_roles": true, "scope_policy": true,
			"consent": true, "claims": true},
		Passwords: PasswordPolicySettings{MinLength: 15, MaxLength: 1024},
		DPoP:      DPoPSettings{ProofWindow: time.Minute, NonceLifetime: 2 * time.Minute, ReplayMax: 100_000},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", h, want)
	}
}

func TestEmptyFileIsValid(t *testing.T) {
	for _, doc := range []string{"", "# only a comment\n", "---\n"} {
		if _, _, err := loadYAML(t, doc, kekEnv); err != nil {
			t.Errorf("%q: %v", doc, err)
		}
	}
}

func TestMissingFile(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	var e *Errors
	if err == nil || errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a file error", err, err)
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	_, _, err := loadYAML(t, `
issuer: http://auth.example.com
access_token_ttl: 0s
hosts:
  - id: a
  - id: b
    issuer: https://b.example.com
    registration: {algorithm: none}
`, kekEnv)
	got := problemLines(t, err)
	want := []string{
		"issuer: must be https unless allow_insecure_issuer is set (http is fine for loopback: 127.0.0.1, ::1, localhost) (inherited by hosts[0])",
		"access_token_ttl: must be positive, got 0s (inherited by hosts[0], hosts[1])",
		`hosts[1].registration.algorithm: "none" must be one of HS256, HS384, HS512`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if err != nil && err.Error() != strings.Join(want, "\n") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestFileErrors(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "unknown top-level key", yaml: "issuer: https://a.example.com\nacess_token_ttl: 1h\n",
			want: []string{"acess_token_ttl: unknown key (line 2; did you mean access_token_ttl?)"}},
		{name: "unknown nested key", yaml: "registration:\n  kye: abc\n",
			want: []string{"registration.kye: unknown key (line 2; did you mean key?)"}},
		{name: "unknown key deep in hosts", yaml: `
hosts:
  - id: a
  - id: b
    issuer: https://b.example.com
    argon2: {memory_kib: 1}
    clients: [{client_id: c, secret: x, redirect_uris: [https://c.example.com/cb]}]
`, want: []string{"hosts[1].argon2.memory_kib: unknown key (line 6", "hosts[1].clients[0].secret: unknown key (line 7)"}},
		{name: "top-level key in a host", yaml: "hosts:\n  - id: a\n    listen: 127.0.0.1:9000\n",
			want: []string{"hosts[0].listen: unknown key in a host: listen is set at the top level only (line 3)"}},
		{name: "unknown key without a suggestion", yaml: "frobnicate: true\n", want: []string{"frobnicate: unknown key (line 1)"}},
		{name: "free-form policy config is not checked", yaml: "policies: [{name: p, lua: a.lua, config: {anything: [goes]}}]\n"},
		{name: "anchors and merge keys", yaml: `
shared: &shared
  access_token_ttl: 10m
`, want: []string{"shared: unknown key (line 2)"}},
		{name: "merge key in a host", yaml: `
hosts:
  - &a {id: a, issuer: "https://a.example.com", code_ttl: 30s}
  - <<: *a
    id: b
    issuer: https://b.example.com
    cde_ttl: 1m
`, want: []string{"hosts[1].cde_ttl: unknown key (line 7; did you mean code_ttl?)"}},
		{name: "wrong type", yaml: "argon2:\n  memory: lots\n",
			want: []string{`argon2.memory: want a non-negative integer, got "lots" (line 2)`}},
		{name: "wrong type in a flow mapping", yaml: "argon2: {iterations: 2, memory: lots}\n",
			want: []string{`argon2.memory: want a non-negative integer, got "lots" (line 1)`}},
		{name: "scalar for a list", yaml: "grant_types: authorization_code\n",
			want: []string{`grant_types: want a list, got "authorization_code" (line 1)`}},
		{name: "bad bool", yaml: "require_code_challenge: maybe\n",
			want: []string{`require_code_challenge: want true or false, got "maybe" (line 1)`}},
		{name: "bare number duration, no follow-up error", yaml: "access_token_ttl: 3600\n",
			want: []string{`access_token_ttl: invalid duration "3600": want a number with a unit, such as 90s, 30m or 1h (line 1)`}},
		{name: "mapping for a duration", yaml: "code_ttl: {seconds: 60}\n",
			want: []string{"code_ttl: want a duration such as 90s or 1h (line 1)"}},
		{name: "not YAML", yaml: "issuer: [unclosed\n", want: []string{"line "}},
		{name: "two documents", yaml: "issuer: https://a.example.com\n---\nissuer: https://b.example.com\n",
			want: []string{"the file must hold exactly one YAML document"}},
		{name: "a list at the top", yaml: "- issuer\n", want: []string{"want a mapping"}},
	})
}

func TestValidateBuiltConfig(t *testing.T) {
	yes := false
	cfg := &Config{Host: Host{Issuer: "https://auth.example.com/", RequireCodeChallenge: &yes, KeyEncryptionKey: devKEK}}
	s, warns, err := cfg.Validate(nil)
	if err != nil || len(warns) != 0 {
		t.Fatalf("Validate: %v %v", err, warns)
	}
	h := s.Hosts[0]
	if h.Issuer != "https://auth.example.com" || h.RequireCodeChallenge || h.SiteName != "auth.example.com" ||
		h.Registration.LegacyHost != "auth.example.com" || len(h.KeyEncryptionKeyBytes) != 32 {
		t.Errorf("settings %+v", h)
	}
	if cfg.Issuer != "https://auth.example.com/" {
		t.Errorf("Validate modified the config: issuer %q", cfg.Issuer)
	}
	_, _, err = (&Config{LogLevel: "loud"}).Validate(nil)
	if got := problemLines(t, err); len(got) != 1 || !strings.HasPrefix(got[0], "log_level: ") {
		t.Errorf("got %q", got)
	}
}

func TestIssuerAndHostnames(t *testing.T) {
	tests := []struct {
		name, yaml           string
		issuer, site, legacy string
		hostnames            []string
	}{
		{name: "trailing slash and default port", yaml: "issuer: https://Auth.Example.com:443/\n",
			issuer: "https://Auth.Example.com:443", site: "Auth.Example.com", legacy: "Auth.Example.com",
			hostnames: []string{"auth.example.com"}},
		{name: "other port", yaml: "issuer: https://auth.example.com:8443\nhostnames: [auth.example.com:8443, alias.example.com]\n",
			issuer: "https://auth.example.com:8443", site: "auth.example.com", legacy: "auth.example.com",
			hostnames: []string{"auth.example.com:8443", "alias.example.com"}},
		{name: "ipv6 loopback", yaml: "issuer: http://[::1]:8080\nsite_name: Dev\nregistration: {legacy_host: example.com}\n",
			issuer: "http://[::1]:8080", site: "Dev", legacy: "example.com", hostnames: []string{"[::1]:8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := loadYAML(t, tt.yaml, kekEnv)
			if err != nil {
				t.Fatal(err)
			}
			h := s.Hosts[0]
			if h.Issuer != tt.issuer || h.SiteName != tt.site || h.Registration.LegacyHost != tt.legacy ||
				!reflect.DeepEqual(h.Hostnames, tt.hostnames) {
				t.Errorf("got issuer %q site %q legacy %q hostnames %q", h.Issuer, h.SiteName,
					h.Registration.LegacyHost, h.Hostnames)
			}
		})
	}
}
