package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// configCLI runs the binary in dir with --config file, no ASSENTRY_* variable but env, and TMPDIR and HOME inside
// dir, so that anything the command wrote would show up there.
func configCLI(t *testing.T, dir, file string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--config", file}, args...)...)
	cmd.Dir = dir
	for _, kv := range childEnv {
		if !strings.HasPrefix(kv, "ASSENTRY_") && !strings.HasPrefix(kv, "TMPDIR=") && !strings.HasPrefix(kv, "HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TMPDIR="+filepath.Join(dir, "tmp"), "HOME="+filepath.Join(dir, "home"))
	cmd.Env = append(cmd.Env, env...)
	return runCmd(t, cmd)
}

// configDir makes a directory for a configuration, with the empty tmp and home directories configCLI points at.
func configDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"tmp", "home"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// treeOf lists every file and directory under dir with its size and modification time.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = fmt.Sprint(fi.Mode(), fi.ModTime(), fi.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, v := range after {
		if before[p] == "" {
			t.Errorf("config check created %s", p)
		} else if before[p] != v {
			t.Errorf("config check changed %s", p)
		}
	}
}

func TestConfigCheckGood(t *testing.T) {
	dir := configDir(t)
	data := filepath.Join(dir, "data")
	writeFile(t, dir, "claims.lua", `return {abi = 1, claims = function(req) return {claims = {}} end}`)
	if err := os.MkdirAll(filepath.Join(dir, "theme", "static"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "theme", "static"), "extra.css", "body { color: black }")
	cfg := writeFile(t, dir, "assentry.yaml", `issuer: https://auth.example.com
data_dir: `+data+`
theme: `+filepath.Join(dir, "theme")+`
policies:
  - name: claims
    lua: `+filepath.Join(dir, "claims.lua")+`
  - name: extra-claims
    wasm: `+repoPath(t, "plugins/extra-claims/extra-claims.wasm")+`
    config: {claims: [{claim: preferred_username, from: username}]}
audit:
  file: `+filepath.Join(dir, "audit.log")+`
hosts:
  - id: a
  - id: b
    issuer: https://b.example.com
`)
	before := treeOf(t, dir)
	r := configCLI(t, dir, cfg, []string{"ASSENTRY_KEY_ENCRYPTION_KEY=" + testKEK}, "config", "check")
	if r.code != 0 || !strings.Contains(r.stdout, "configuration ok") || !strings.Contains(r.stdout, "2 hosts (a, b), 4 plugins loaded, 1 custom theme loaded") {
		t.Fatalf("config check: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	sameTree(t, before, treeOf(t, dir))
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the data directory: %v, want it not created", err)
	}
}

func TestConfigCheckBad(t *testing.T) {
	dir := configDir(t)
	data := filepath.Join(dir, "data")
	writeFile(t, dir, "broken.lua", "return {abi = 1,")
	if err := os.Mkdir(filepath.Join(dir, "theme"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "theme"), "login.html", "{{ .Nope ")
	cfg := writeFile(t, dir, "assentry.yaml", `issuer: https://auth.example.com
data_dir: `+data+`
key_encryption_key: not-a-key
colour: blue
policies:
  - {name: inherited, lua: `+filepath.Join(dir, "inherited.lua")+`}
hosts:
  - id: a
    theme: `+filepath.Join(dir, "theme")+`
    policies:
      - {name: missing, lua: `+filepath.Join(dir, "missing.lua")+`}
      - {name: broken, lua: `+filepath.Join(dir, "broken.lua")+`}
  - id: b
    issuer: https://b.example.com
    audit: {file: `+filepath.Join(dir, "nodir", "audit.log")+`}
  - id: c
    issuer: https://c.example.com
`)
	before := treeOf(t, dir)
	r := configCLI(t, dir, cfg, nil, "config", "check")
	want := []string{
		"colour: unknown key (line 4",
		"key_encryption_key: must be 32 bytes in base64",
		"hosts[0].theme: " + filepath.Join(dir, "theme") + ": themes: ",
		"login.html",
		"hosts[0].policies: policy missing: open " + filepath.Join(dir, "missing.lua") + ": no such file or directory",
		"hosts[0].policies: policy broken: broken.lua: syntax error",
		// Inherited by hosts b and c, reported once, where it was written.
		"\npolicies: policy inherited: open " + filepath.Join(dir, "inherited.lua") + ": no such file or directory",
		"hosts[1].audit.file: " + filepath.Join(dir, "nodir", "audit.log") + ": the directory " + filepath.Join(dir, "nodir") + " does not exist",
		"the configuration has 7 problems",
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("missing %q", w)
		}
	}
	if r.code != 2 || t.Failed() {
		t.Fatalf("config check: exit %d, want 2\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	sameTree(t, before, treeOf(t, dir))
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the data directory: %v, want it not created", err)
	}

	notYAML := writeFile(t, dir, "bad.yaml", "issuer: [https://auth.example.com\n")
	r = configCLI(t, dir, notYAML, nil, "config", "check")
	if r.code != 2 || !strings.Contains(r.stderr, "line 1: did not find expected") || !strings.Contains(r.stderr, "the configuration has 1 problem") {
		t.Fatalf("config check of a file that is not YAML: exit %d\nstderr: %s", r.code, r.stderr)
	}
}

func TestConfigShow(t *testing.T) {
	const (
		regKey = "registration-key-0123456789abcdef0123"
		iat    = "initial-access-token-secret"
		secret = "client-secret-value"
	)
	sum := sha256.Sum256([]byte(secret))
	dir := configDir(t)
	cfg := writeFile(t, dir, "assentry.yaml", `issuer: https://auth.example.com
registration:
  key: `+regKey+`
  initial_access_token: `+iat+`
clients:
  - client_id: app
    client_secret_env: APP_SECRET
    redirect_uris: [https://app.example.com/cb]
`)
	kek := testKEK
	env := []string{"ASSENTRY_KEY_ENCRYPTION_KEY=" + kek, "APP_SECRET=" + secret, "ASSENTRY_SESSION_TTL=2h"}
	yamlOut := configCLI(t, dir, cfg, env, "config", "show")
	jsonOut := configCLI(t, dir, cfg, env, "config", "show", "--json")
	for _, r := range []result{yamlOut, jsonOut} {
		if r.code != 0 {
			t.Fatalf("config show: exit %d\n%s", r.code, r.stderr)
		}
		for _, s := range []string{regKey, iat, secret, kek, hex.EncodeToString(sum[:])} {
			if strings.Contains(r.stdout, s) {
				t.Errorf("the output holds the secret %q:\n%s", s, r.stdout)
			}
		}
	}
	for _, want := range []string{
		"issuer: https://auth.example.com # file:1",
		"  key: <redacted> # file:3",
		"initial_access_token: <redacted> # file:4",
		"session_ttl: 2h0m0s # env:ASSENTRY_SESSION_TTL",
		"key_encryption_key: <redacted> # env:ASSENTRY_KEY_ENCRYPTION_KEY",
		"code_ttl: 1m0s # default",
		"clients: # file:5",
		"client_secret_env: APP_SECRET # file:7",
	} {
		if !strings.Contains(yamlOut.stdout, want) {
			t.Errorf("config show: no %q in\n%s", want, yamlOut.stdout)
		}
	}
	var shown struct {
		Settings map[string]any    `json:"settings"`
		Sources  map[string]string `json:"sources"`
	}
	if err := json.Unmarshal([]byte(jsonOut.stdout), &shown); err != nil {
		t.Fatalf("config show --json: %v\n%s", err, jsonOut.stdout)
	}
	if got := shown.Settings["session_ttl"]; got != "2h0m0s" {
		t.Errorf("session_ttl %v", got)
	}
	for path, want := range map[string]string{"issuer": "file:1", "session_ttl": "env:ASSENTRY_SESSION_TTL",
		"code_ttl": "default", "listen": "default", "registration.key": "file:3"} {
		if shown.Sources[path] != want {
			t.Errorf("source of %s: %q, want %q", path, shown.Sources[path], want)
		}
	}
}

func TestConfigEnvLists(t *testing.T) {
	dir := configDir(t)
	cfg := writeFile(t, dir, "assentry.yaml", "issuer: https://auth.example.com\ncors_origins: [https://file.example.com]\n")
	r := configCLI(t, dir, cfg, []string{"ASSENTRY_KEY_ENCRYPTION_KEY=" + testKEK,
		"ASSENTRY_TRUSTED_PROXIES= 10.0.0.0/8 , 192.0.2.1",
		`ASSENTRY_CORS_ORIGINS=["https://a.example.com", "https://b.example.com"]`,
		"ASSENTRY_ROLES__NAMES=user,admin", "ASSENTRY_ROLES__DEFAULT=admin"}, "config", "show", "--json")
	var shown struct {
		Settings struct {
			TrustedProxies []string `json:"trusted_proxies"`
			CORSOrigins    []string `json:"cors_origins"`
			Roles          struct {
				Names   []string `json:"names"`
				Default string   `json:"default"`
			} `json:"roles"`
		} `json:"settings"`
		Sources map[string]string `json:"sources"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &shown); r.code != 0 || err != nil {
		t.Fatalf("config show: exit %d, %v\n%s", r.code, err, r.stderr)
	}
	s := shown.Settings
	if strings.Join(s.TrustedProxies, " ") != "10.0.0.0/8 192.0.2.1" ||
		strings.Join(s.CORSOrigins, " ") != "https://a.example.com https://b.example.com" ||
		strings.Join(s.Roles.Names, " ") != "user admin" || s.Roles.Default != "admin" {
		t.Errorf("lists from the environment: %+v", s)
	}
	for path, want := range map[string]string{"cors_origins": "env:ASSENTRY_CORS_ORIGINS",
		"roles.names": "env:ASSENTRY_ROLES__NAMES", "roles.default": "env:ASSENTRY_ROLES__DEFAULT"} {
		if src := shown.Sources[path]; src != want {
			t.Errorf("%s source %q, want %q", path, src, want)
		}
	}

	r = configCLI(t, dir, cfg, []string{"ASSENTRY_TRUSTED_PROXIES=10.0.0.1,,10.0.0.2",
		`ASSENTRY_GRANT_TYPES=["authorization_code", 5`, `ASSENTRY_CORS_ORIGINS=[{"origin": "https://a.example.com"}]`,
		"ASSENTRY_RESPONSE_TYPES=code,", "ASSENTRY_CLIENTS=app"}, "config", "check")
	for _, want := range []string{
		"ASSENTRY_TRUSTED_PROXIES: trusted_proxies: item 2 of the comma-separated list is empty",
		"ASSENTRY_GRANT_TYPES: grant_types: invalid JSON list",
		`ASSENTRY_CORS_ORIGINS: cors_origins: item 1 of the JSON list: want a string, got {"origin": "https://a.example.com"}`,
		"ASSENTRY_RESPONSE_TYPES: response_types: item 2 of the comma-separated list is empty",
		"ASSENTRY_CLIENTS: clients is a list of mappings; it is set in the config file only",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("no %q", want)
		}
	}
	if r.code != 2 || t.Failed() {
		t.Fatalf("config check with bad lists: exit %d\n%s", r.code, r.stderr)
	}
}
