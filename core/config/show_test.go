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
		"listen":                                  "default",
		"trusted_proxies":                         "env:ASSENTRY_TRUSTED_PROXIES",
		"hosts[0].issuer":                         "inherited from file:1",
		"hosts[0].site_name":                      "inherited from file:2",
		"hosts[0].id":                             "file:7",
		"hosts[1].issuer":                         "file:9",
		"hosts[1].site_name":                      "file:10",
		"hosts[1].code_ttl":                       "inherited from env:ASSENTRY_CODE_TTL",
		"hosts[1].key_encryption_key":             "inherited from env:ASSENTRY_KEY_ENCRYPTION_KEY",
		"hosts[0].rate_limits.login_per_ip.burst": "inherited from file:5",
		"hosts[0].rate_limits.login_per_ip.every": "default",
		"hosts[0].builtin_policy.consent":         "inherited from env:ASSENTRY_BUILTIN_POLICY__CONSENT",
		"hosts[0].builtin_policy.claims":          "default",
		"hosts[0].access_token_ttl":               "default",
		"hosts[0].registration.key":               "default",
	} {
		if got[path] != want {
			t.Errorf("%s: source %q, want %q", path, got[path], want)
		}
	}
}

func TestShowSingleHost(t *testing.T) {
	in := inspectYAML(t, "issuer: https://auth.example.com\nhsts:\n  max_age: 60\n", kekEnv)
	shown := Show(in.Settings, in.Sources)
	for path, want := range map[string]string{"issuer": "file:1", "hsts.max_age": "file:3",
		"key_encryption_key": "env:ASSENTRY_KEY_ENCRYPTION_KEY"} {
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
		// otherHash is the SHA-256 of "other-secret", written in the file.
		otherHash = "1b4d8d0f0eb6f1bf0c4a86fe6c1bbde4b4d2d4f4b0c4e1b5b6a5b1a0d2c3e4f5"
	)
	in := inspectYAML(t, `issuer: https://auth.example.com
registration:
  key: `+regKey+`
  initial_access_token: `+iat+`
clients:
  - client_id: app
    client_secret_env: APP_SECRET
    redirect_uris: [https://app.example.com/cb]
  - client_id: other
    client_secret_sha256: `+otherHash+`
    redirect_uris: [https://other.example.com/cb]
policies:
  - name: notify
    lua: /nonexistent/notify.lua
    config: {webhook_url: "https://hooks.example.com/x", webhook_token: plugin-token-value, API_Key: plugin-api-key, retries: 3}
`, kekEnv, "APP_SECRET="+secret)
	out, err := yaml.Marshal(Show(in.Settings, in.Sources).Tree)
	if err != nil {
		t.Fatal(err)
	}
	h := in.Settings.Hosts[0]
	for _, s := range []string{regKey, iat, secret, h.Clients[0].SecretSHA256, otherHash, h.KeyEncryptionKey, devKEK,
		"plugin-token-value", "plugin-api-key"} {
		if strings.Contains(string(out), s) {
			t.Errorf("the output holds the secret %q:\n%s", s, out)
		}
	}
	if n := strings.Count(string(out), Redacted); n != 6 {
		t.Errorf("%d values redacted, want 6:\n%s", n, out)
	}
	// A plugin's other settings are shown: only names that say secret, token, password, key... are hidden.
	for _, s := range []string{"https://hooks.example.com/x", "retries: 3"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("the plugin's setting %q is not shown:\n%s", s, out)
		}
	}
	// Every string key of the file whose name says secret or key is either redacted or not a secret.
	notSecret := map[string]bool{"client_secret_env": true, "token_endpoint_auth_method": true,
		"id_token_signed_response_alg": true, "id_token_signing_alg": true, "access_token_format": true}
	var walk func(t reflect.Type, key string)
	walk = func(typ reflect.Type, key string) {
		for _, f := range fieldsOf(typ) {
			if typ == typeOfConfig && f.name == "hosts" {
				continue // a host's keys are those of the top level, walked inline (and redacted by the same paths)
			}
			k := join(key, f.name)
			ft := f.typ
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Struct && ft.PkgPath() == typ.PkgPath():
				walk(ft, k)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && ft.Elem().PkgPath() == typ.PkgPath():
				walk(ft.Elem(), k+"[]")
			case ft.Kind() == reflect.String:
				lower := strings.ToLower(f.name)
				if (strings.Contains(lower, "secret") || strings.Contains(lower, "key") || strings.Contains(lower, "token") ||
					strings.Contains(lower, "dsn")) && !secretKeys[k] && !notSecret[f.name] {
					t.Errorf("%s looks like a secret: add it to secretKeys, or to notSecret here", k)
				}
			}
		}
	}
	walk(typeOfConfig, "")
}

// TestShowFileKeys: every key of the output is a key of the file, with its nesting, and nested keys set in the
// file or by a variable carry that source (password_policy was once shown as "passwords", always "default").
func TestShowFileKeys(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bl.txt"), []byte("password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := inspectYAML(t, `password_policy: {min_length: 20, blocklist_file: `+filepath.Join(dir, "bl.txt")+`}
dpop_nonce: required
rate_limits:
  dpop_proofs_per_ip: {burst: 7}
hsts:
  max_age: 60
`, kekEnv, "ASSENTRY_PASSWORD_POLICY__MAX_LENGTH=100", "ASSENTRY_DPOP_PROOF_WINDOW=30s")
	shown := Show(in.Settings, in.Sources)
	for path, want := range map[string]string{
		"password_policy.min_length":                 "file:1",
		"password_policy.blocklist_file":             "file:1",
		"password_policy.max_length":                 "env:ASSENTRY_PASSWORD_POLICY__MAX_LENGTH",
		"dpop_nonce":                                 "file:2",
		"dpop_proof_window":                          "env:ASSENTRY_DPOP_PROOF_WINDOW",
		"dpop_replay_max":                            "default",
		"rate_limits.dpop_proofs_per_ip.burst":       "file:4",
		"rate_limits.dpop_proofs_per_ip.every":       "default",
		"rate_limits.login_per_ip.burst":             "default",
		"hsts.max_age":                               "file:6",
		"data_dir":                                   "default",
		"client_id_metadata_documents.enabled":       "default",
		"store.backend":                              "default",
		"http.idle_timeout":                          "default",
		"builtin_policy.validate_registration":       "default",
		"registration.algorithm":                     "default",
		"client_id_metadata_documents.cache_entries": "default",
	} {
		if got, ok := shown.Sources[path]; !ok || got != want {
			t.Errorf("%s: source %q (present %v), want %q", path, got, ok, want)
		}
	}
	// Every output path names a key the file accepts: walk it against the file's types.
	for path := range shown.Sources {
		if !fileKey(typeOfConfig, path) {
			t.Errorf("%s is not a key of the configuration file", path)
		}
	}
}

// fileKey reports whether the key path names a key of struct type t, as the file decoder reads it.
func fileKey(t reflect.Type, path string) bool {
	for path != "" {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		seg, rest, _ := strings.Cut(path, ".")
		name, index, hasIndex := strings.Cut(seg, "[")
		switch t.Kind() {
		case reflect.Map, reflect.Interface:
			return true // free-form below this point (builtin_policy, policy config)
		case reflect.Struct:
			f, ok := fieldByName(t, name)
			if !ok {
				return false
			}
			t = f.typ
		default:
			return false
		}
		if hasIndex {
			for t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t.Kind() != reflect.Slice || !strings.HasSuffix(index, "]") {
				return false
			}
			t = t.Elem()
		}
		path = rest
	}
	return true
}

// TestShowHostLists: a host's own list is its own, keys inside it that it leaves out are defaults (not the top
// level's at the same index); a list it does not set is inherited whole.
func TestShowHostLists(t *testing.T) {
	in := inspectYAML(t, `clients:
  - client_id: top
    client_name: Top
    logo_uri: https://top.example.com/logo.png
    redirect_uris: [https://top.example.com/cb]
hosts:
  - id: a
    issuer: https://a.example.com
  - id: b
    issuer: https://b.example.com
    clients:
      - client_id: own
        client_name: Own
        redirect_uris: [https://own.example.com/cb]
`, kekEnv)
	shown := Show(in.Settings, in.Sources)
	for path, want := range map[string]string{
		"hosts[0].clients[0].client_id": "inherited from file:2",
		"hosts[0].clients[0].logo_uri":  "inherited from file:4",
		"hosts[0].clients[0].scope":     "default",
		"hosts[1].clients[0].client_id": "file:12",
		"hosts[1].clients[0].logo_uri":  "default",
		"hosts[1].issuer":               "file:10",
	} {
		if got := shown.Sources[path]; got != want {
			t.Errorf("%s: source %q, want %q", path, got, want)
		}
	}
	if _, ok := shown.Sources["clients[0].client_id"]; ok {
		t.Error("a host key is shown at the top level of a file with hosts")
	}
}
