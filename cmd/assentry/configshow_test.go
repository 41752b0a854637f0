package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// stripComments drops every comment of a YAML document (config show's sources), keeping the data as it is, and
// fills in each redacted secret from secrets (by key), as an operator reusing the output would.
func stripComments(t *testing.T, doc string, secrets map[string]string) string {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatalf("config show printed no YAML: %v\n%s", err, doc)
	}
	var clear func(n *yaml.Node)
	clear = func(n *yaml.Node) {
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 1 && c.Value == "<redacted>" {
				v, ok := secrets[n.Content[i-1].Value]
				if !ok {
					t.Fatalf("no value for the redacted %s", n.Content[i-1].Value)
				}
				c.Value = v
			}
			clear(c)
		}
	}
	clear(&root)
	out, err := yaml.Marshal(&root)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestConfigShowRoundTrip: the output of config show, its comments stripped, is a configuration file that config
// check accepts and that config show prints the same again, for a single-host file and one with hosts; the
// secrets (redacted in the output) come from the environment both times. The sources of nested keys set in the
// file and by variables are those keys' own, and --json carries the same settings and sources.
func TestConfigShowRoundTrip(t *testing.T) {
	dir := configDir(t)
	writeFile(t, dir, "blocklist.txt", "password123\n")
	writeFile(t, dir, "rule.lua", `return {abi = 1, validate_registration = function(req)
  return {decision = "accept"}
end}
`)
	const regKey = "registration-key-0123456789abcdef0123"
	secrets := map[string]string{"key_encryption_key": testKEK, "key": regKey}
	env := []string{"ASSENTRY_KEY_ENCRYPTION_KEY=" + testKEK, "ASSENTRY_REGISTRATION__KEY=" + regKey,
		"ASSENTRY_PASSWORD_POLICY__MAX_LENGTH=100", "ASSENTRY_DPOP_PROOF_WINDOW=30s", "APP_SECRET=app-secret-value"}
	for _, tt := range []struct {
		name, doc string
		sources   map[string]string
	}{
		{"single host", `issuer: https://auth.example.com
password_policy: {min_length: 20, blocklist_file: blocklist.txt}
hsts:
  max_age: 60
dpop_nonce: required
rate_limits:
  dpop_proofs_per_ip: {burst: 7}
  login_per_ip:
    every: 5s
policies:
  - name: rule
    lua: rule.lua
    hooks: [validate_registration]
    config: {domains: [example.com], nested: {depth: 2}}
clients:
  - client_id: app
    client_name: App
    client_secret_env: APP_SECRET
    redirect_uris: [https://app.example.com/cb]
`, map[string]string{
			"password_policy.min_length":                 "file:2",
			"password_policy.blocklist_file":             "file:2",
			"password_policy.max_length":                 "env:ASSENTRY_PASSWORD_POLICY__MAX_LENGTH",
			"hsts.max_age":                               "file:4",
			"dpop_nonce":                                 "file:5",
			"dpop_proof_window":                          "env:ASSENTRY_DPOP_PROOF_WINDOW",
			"rate_limits.dpop_proofs_per_ip.burst":       "file:7",
			"rate_limits.login_per_ip.every":             "file:9",
			"rate_limits.login_per_ip.burst":             "default",
			"policies[0].lua":                            "file:12",
			"policies[0].config.nested.depth":            "file:14",
			"policies[0].on_error.validate_registration": "default",
			"clients[0].client_secret_env":               "file:18",
			"registration.key":                           "env:ASSENTRY_REGISTRATION__KEY",
			"key_encryption_key":                         "env:ASSENTRY_KEY_ENCRYPTION_KEY",
			"data_dir":                                   "default",
		}},
		{"hosts", `data_dir: ./state
password_policy:
  min_length: 18
hosts:
  - id: a
    issuer: https://a.example.com
  - id: b
    issuer: https://b.example.com
    password_policy:
      blocklist_file: blocklist.txt
    rate_limits:
      login_per_ip: {burst: 3}
`, map[string]string{
			"data_dir":                                "file:1",
			"hosts[0].password_policy.min_length":     "inherited from file:3",
			"hosts[1].password_policy.min_length":     "inherited from file:3",
			"hosts[1].password_policy.blocklist_file": "file:10",
			"hosts[1].password_policy.max_length":     "inherited from env:ASSENTRY_PASSWORD_POLICY__MAX_LENGTH",
			"hosts[1].rate_limits.login_per_ip.burst": "file:12",
			"hosts[0].rate_limits.login_per_ip.burst": "default",
			"hosts[0].registration.key":               "inherited from env:ASSENTRY_REGISTRATION__KEY",
			"hosts[1].id":                             "file:7",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, dir, "assentry.yaml", tt.doc)
			first := configCLI(t, dir, cfg, env, "config", "show")
			if first.code != 0 {
				t.Fatalf("config show: exit %d\n%s", first.code, first.stderr)
			}
			shown := stripComments(t, first.stdout, secrets)
			again := writeFile(t, dir, "shown.yaml", shown)
			if r := configCLI(t, dir, again, env, "config", "check"); r.code != 0 {
				t.Fatalf("config check of config show's output: exit %d\n%s\n%s", r.code, r.stderr, shown)
			}
			second := configCLI(t, dir, again, env, "config", "show")
			if second.code != 0 {
				t.Fatalf("config show of config show's output: exit %d\n%s", second.code, second.stderr)
			}
			if got := stripComments(t, second.stdout, secrets); got != shown {
				t.Errorf("config show of its own output differs:\n%s\nwant\n%s", got, shown)
			}

			js := configCLI(t, dir, cfg, env, "config", "show", "--json")
			var out struct {
				Settings map[string]any    `json:"settings"`
				Sources  map[string]string `json:"sources"`
			}
			if err := json.Unmarshal([]byte(js.stdout), &out); js.code != 0 || err != nil {
				t.Fatalf("config show --json: exit %d, %v\n%s", js.code, err, js.stderr)
			}
			var fromYAML map[string]any
			if err := yaml.Unmarshal([]byte(first.stdout), &fromYAML); err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(fromYAML); !jsonEqual(t, b, mustJSON(t, out.Settings)) {
				t.Errorf("--json settings differ from the YAML:\n%s\nwant\n%s", mustJSON(t, out.Settings), b)
			}
			for path, want := range tt.sources {
				if got := out.Sources[path]; got != want {
					t.Errorf("source of %s: %q, want %q", path, got, want)
				}
				// The YAML form carries the same source after the value.
				if !strings.Contains(first.stdout, "# "+want) {
					t.Errorf("no %q comment in\n%s", want, first.stdout)
				}
			}
			for _, internal := range []string{"passwords", "d_po_p", "hsts_max_age", "data_dir_origin", "login_per_user"} {
				if strings.Contains(first.stdout, internal+":") || strings.Contains(js.stdout, `"`+internal+`"`) {
					t.Errorf("the output holds %q, not a key of the file", internal)
				}
			}
			for _, secret := range []string{testKEK, regKey, "app-secret-value"} {
				if strings.Contains(first.stdout+js.stdout, secret) {
					t.Errorf("the output holds the secret %q", secret)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonEqual compares two JSON documents as values.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	return reflect.DeepEqual(x, y)
}
