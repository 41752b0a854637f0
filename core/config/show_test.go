package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// inspectYAML writes doc to a temporary file and inspects it with env.
func inspectYAML(t *testing.T, doc string, env ...string) *Inspection {
	t.Helper()
	path := filepath.Join(t.TempDir(), "assentry.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	in := Inspect(path, env)
	if in.Err != nil {
		t.Fatal(in.Err)
	}
	return in
}

func TestShowSources(t *testing.T) {
	in := inspectYAML(t, `issuer: https://auth.example.com
site_name: Example
rate_limits:
  login_per_ip:
    burst: 9
hosts:
  - id: a
  - id: b
    issuer: https://b.example.com
    site_name: B
`, kekEnv, "ASSENTRY_CODE_TTL=45s", "ASSENTRY_TRUSTED_PROXIES=10.0.0.0/8,10.1.0.0/16", "ASSENTRY_BUILTIN_POLICY__CONSENT=false")
	got := Show(in.Settings, in.Sources).Sources
	for path, want := range map[string]string{
		"listen":                          "default",
		"trusted_proxies":                 "env:ASSENTRY_TRUSTED_PROXIES",
		"hosts[0].issuer":                 "inherited from file:1",
		"hosts[0].site_name":              "inherited from file:2",
		"hosts[0].id":                     "file:7",
		"hosts[1].issuer":                 "file:9",
		"hosts[1].site_name":              "file:10",
		"hosts[1].code_ttl":               "inherited from env:ASSENTRY_CODE_TTL",
		"hosts[1].key_encryption_key":     "inherited from env:ASSENTRY_KEY_ENCRYPTION_KEY",
		"hosts[0].login_per_ip.burst":     "inherited from file:5",
		"hosts[0].login_per_ip.every":     "default",
		"hosts[0].builtin_policy.consent": "inherited from env:ASSENTRY_BUILTIN_POLICY__CONSENT",
		"hosts[0].builtin_policy.claims":  "default",
		"hosts[0].access_token_ttl":       "default",
		"hosts[0].registration.enabled":   "default",
	} {
		if got[path] != want {
			t.Errorf("%s: source %q, want %q", path, got[path], want)
		}
	}
}

func TestShowSingleHost(t *testing.T) {
	in := inspectYAML(t, "issuer: https://auth.example.com\nhsts:\n  max_age: 60\n", kekEnv)
	shown := Show(in.Settings, in.Sources)
	for path, want := range map[string]string{"hosts[0].issuer": "file:1", "hosts[0].hsts_max_age": "file:3",
		"hosts[0].key_encryption_key": "env:ASSENTRY_KEY_ENCRYPTION_KEY"} {
		if shown.Sources[path] != want {
			t.Errorf("%s: source %q, want %q", path, shown.Sources[path], want)
		}
	}
	out, err := yaml.Marshal(shown.Tree)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "issuer: https://auth.example.com # file:1") {
		t.Errorf("no source comment on the issuer:\n%s", out)
	}
}

// TestShowRedactsEverySecret sets every secret and checks that none appears in the output, and that the
// Settings fields holding a secret are exactly the ones known: a new secret field fails here until it is added to
// secretKeys.
func TestShowRedactsEverySecret(t *testing.T) {
	const (
		regKey = "registration-key-0123456789abcdef0123"
		iat    = "initial-access-token-secret"
		secret = "client-secret-value"
	)
	in := inspectYAML(t, `issuer: https://auth.example.com
registration:
  key: `+regKey+`
  initial_access_token: `+iat+`
clients:
  - client_id: app
    client_secret_env: APP_SECRET
    redirect_uris: [https://app.example.com/cb]
`, kekEnv, "APP_SECRET="+secret)
	out, err := yaml.Marshal(Show(in.Settings, in.Sources).Tree)
	if err != nil {
		t.Fatal(err)
	}
	h := in.Settings.Hosts[0]
	for _, s := range []string{regKey, iat, secret, h.Clients[0].SecretSHA256, h.KeyEncryptionKey, devKEK} {
		if strings.Contains(string(out), s) {
			t.Errorf("the output holds the secret %q:\n%s", s, out)
		}
	}
	if n := strings.Count(string(out), Redacted); n != 4 {
		t.Errorf("%d values redacted, want 4:\n%s", n, out)
	}
	// Every string field of the Settings types whose name says secret or key is either redacted or not a secret.
	notSecret := map[string]bool{"client_secret_env": true, "token_endpoint_auth_method": true,
		"id_token_signed_response_alg": true, "id_token_signing_alg": true, "access_token_format": true}
	var walk func(t reflect.Type, key string)
	walk = func(typ reflect.Type, key string) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := snakeCase(f.Name)
			if tag, ok := f.Tag.Lookup("yaml"); ok {
				name, _, _ = strings.Cut(tag, ",")
			}
			k := join(key, name)
			switch ft := f.Type; {
			case ft.Kind() == reflect.Struct && ft.PkgPath() == typ.PkgPath():
				walk(ft, k)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && ft.Elem().PkgPath() == typ.PkgPath():
				walk(ft.Elem(), k+"[]")
			case ft.Kind() == reflect.String:
				lower := strings.ToLower(name)
				if (strings.Contains(lower, "secret") || strings.Contains(lower, "key") || strings.Contains(lower, "token")) &&
					!secretKeys[k] && !notSecret[name] {
					t.Errorf("%s looks like a secret: add it to secretKeys, or to notSecret here", k)
				}
			}
		}
	}
	walk(reflect.TypeFor[HostSettings](), "")
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"AccessTokenTTL": "access_token_ttl", "IDTokenSigningAlg": "id_token_signing_alg",
		"OOBRequirePKCE": "oob_require_pkce", "CORSOrigins": "cors_origins", "MaxConnectionsPerIP": "max_connections_per_ip",
		"HSTSMaxAge": "hsts_max_age", "ID": "id"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%s) = %s, want %s", in, got, want)
		}
	}
}
