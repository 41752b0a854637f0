package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// policyCLI runs the binary in an empty directory, without a configuration file: the policy commands need
// neither a server nor a data directory.
func policyCLI(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	for _, kv := range childEnv {
		if !strings.HasPrefix(kv, "ASSENTRY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return runCmd(t, cmd)
}

func repoPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const registrationInput = `{"operation": "register", "metadata": {"client_name": "Shop", "client_uri": %q},
	"auth": {"kind": "anonymous"}, "request": {"remote_addr": "192.0.2.1", "user_agent": "cli-test"}}`

func TestPolicyTestCommand(t *testing.T) {
	dir := t.TempDir()
	fixture := func(name string) string { return repoPath(t, "policy/policytest/testdata/"+name+".lua") }
	example := repoPath(t, "examples/policies/registration.lua")
	input := func(name, content string) string { return writeFile(t, dir, name, content) }
	scopeIn := input("scope.json", `{"flow": "authorization_code", "client": {"client_id": "c"},
		"requested_scopes": ["openid"], "granted_scopes": ["openid"]}`)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // contained in stdout
		wantStderr string // contained in stderr
	}{
		{name: "example accepts example.com", wantStdout: `"decision": "accept"`,
			args: []string{"--plugin", example, "--hook", "validate_registration", "--input",
				input("ok.json", strings.Replace(registrationInput, "%q", `"https://shop.example.com/"`, 1))}},
		{name: "example rejects other domains", wantStdout: `"error": "invalid_client_metadata"`,
			args: []string{"--plugin", example, "--hook", "validate_registration", "--input",
				input("evil.json", strings.Replace(registrationInput, "%q", `"https://example.com.evil.test/"`, 1))}},
		{name: "example is not fooled by userinfo", wantStdout: `"decision": "reject"`,
			args: []string{"--plugin", example, "--hook", "validate_registration", "--input",
				input("userinfo.json", strings.Replace(registrationInput, "%q", `"https://example.com@evil.test/"`, 1))}},
		{name: "plugin config and logs", wantStdout: `"editor"`, wantStderr: "",
			args: []string{"--plugin", repoPath(t, "plugins/roles-from-groups/roles-from-groups.lua"), "--hook", "map_roles",
				"--plugin-config", input("groups.json", `{"groups": {"staff": ["editor"]}, "claim": "groups"}`),
				"--input", input("user.json", `{"user": {"sub": "u", "username": "alice", "roles": ["user"], "groups": ["staff"]}, "roles": ["user"]}`)}},
		{name: "reserved claims are pointed out", wantStdout: `"sub": "evil"`, wantStderr: `note: claims: the claim "sub" is reserved`,
			args: []string{"--plugin", writeFile(t, dir, "sub.lua", `return {abi = 1, claims = function(req)
				assentry.log("warn", "setting sub") return {claims = {sub = "evil", ok = 1}} end}`),
				"--hook", "claims", "--input", input("claims.json", `{"user": {"sub": "u"}, "client": {"client_id": "c"}, "scopes": [], "target": "userinfo"}`)}},
		{name: "assentry.log goes to stderr", wantStderr: `msg="hello from lua" plugin=log.lua`,
			args: []string{"--plugin", writeFile(t, dir, "log.lua", `return {abi = 1, claims = function(req)
				assentry.log("warn", "hello from lua") return {claims = {}} end}`),
				"--hook", "claims", "--input", input("claims2.json", `{"target": "userinfo"}`)}},
		{name: "a deadline is a failure", wantCode: 1, wantStderr: "deadline",
			args: []string{"--plugin", fixture("infinite_loop"), "--hook", "scope_policy", "--input", scopeIn}},
		{name: "garbage is a failure", wantCode: 1, wantStderr: "invalid_output",
			args: []string{"--plugin", fixture("invalid_json"), "--hook", "scope_policy", "--input", scopeIn}},
		{name: "an unknown decision is a failure", wantCode: 1, wantStderr: `invalid_output: decision: "maybe"`,
			args: []string{"--plugin", fixture("consent_garbage"), "--hook", "consent", "--input",
				input("consent.json", `{"user": {"sub": "u"}, "client": {"client_id": "c"}, "requested_scopes": [], "granted_scopes": [], "previously_consented": false}`)}},
		{name: "a declared error is printed and fails", wantCode: 1, wantStdout: `"code": "directory_unavailable"`,
			wantStderr: "declared an error",
			args:       []string{"--plugin", fixture("declared_error"), "--hook", "scope_policy", "--input", scopeIn}},
		{name: "a hook the plugin does not export", wantCode: 1, wantStderr: "does not export consent",
			args: []string{"--plugin", example, "--hook", "consent", "--input", input("empty.json", `{}`)}},
		{name: "a plugin that does not load", wantCode: 1, wantStderr: "abi = 1 is required",
			args: []string{"--plugin", fixture("abi_mismatch"), "--hook", "scope_policy", "--input", scopeIn}},
		{name: "unknown hook", wantCode: 2, wantStderr: `--hook "scope": one of`,
			args: []string{"--plugin", example, "--hook", "scope", "--input", scopeIn}},
		{name: "input of another hook", wantCode: 2, wantStderr: "its hook is claims",
			args: []string{"--plugin", example, "--hook", "validate_registration", "--input", input("other.json", `{"hook": "claims"}`)}},
		{name: "input of the wrong shape", wantCode: 2, wantStderr: "not a scope_policy input",
			args: []string{"--plugin", fixture("scope_narrow"), "--hook", "scope_policy", "--input", input("shape.json", `{"requested_scopes": "openid"}`)}},
		{name: "input not JSON", wantCode: 2, wantStderr: "bad.json",
			args: []string{"--plugin", example, "--hook", "validate_registration", "--input", input("bad.json", `{`)}},
		{name: "missing input", wantCode: 2, wantStderr: "--input is required",
			args: []string{"--plugin", example, "--hook", "validate_registration"}},
		{name: "--expect holds", wantStdout: `"decision": "accept"`,
			args: []string{"--plugin", example, "--hook", "validate_registration", "--expect", "accept", "--input",
				input("ok2.json", strings.Replace(registrationInput, "%q", `"https://shop.example.com/"`, 1))}},
		{name: "--expect does not hold", wantCode: 1, wantStdout: `"decision": "reject"`,
			wantStderr: `the decision is "reject", not the expected "accept"`,
			args: []string{"--plugin", example, "--hook", "validate_registration", "--expect", "accept", "--input",
				input("evil2.json", strings.Replace(registrationInput, "%q", `"https://example.com.evil.test/"`, 1))}},
		{name: "--expect of another hook", wantCode: 2, wantStderr: "--expect approve: a decision of consent, not of validate_registration",
			args: []string{"--plugin", example, "--hook", "validate_registration", "--expect", "approve", "--input", scopeIn}},
		{name: "--expect of no hook", wantCode: 2, wantStderr: `--expect "allow": one of`,
			args: []string{"--plugin", example, "--hook", "validate_registration", "--expect", "allow", "--input", scopeIn}},
		{name: "unknown plugin type", wantCode: 2, wantStderr: "no policy engine for this file type",
			args: []string{"--plugin", input("x.js", ""), "--hook", "claims", "--input", scopeIn}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := policyCLI(t, dir, append([]string{"policy", "test"}, tt.args...)...)
			if r.code != tt.wantCode || !strings.Contains(r.stdout, tt.wantStdout) || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s\nwant stdout with %q, stderr with %q",
					r.code, tt.wantCode, r.stdout, r.stderr, tt.wantStdout, tt.wantStderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Fatal("the policy commands created a data directory")
	}
}

func TestPolicyCheckCommand(t *testing.T) {
	dir := t.TempDir()
	allowCfg := writeFile(t, dir, "allow.json", `{"allowed_domains": ["example.com"]}`)
	r := policyCLI(t, dir, "policy", "check", repoPath(t, "examples/policies/registration.lua"),
		repoPath(t, "plugins/registration-allowlist/registration-allowlist.lua"), "--plugin-config", allowCfg)
	if r.code != 0 || !strings.Contains(r.stdout, "registration.lua: ok (hooks: validate_registration)") ||
		!strings.Contains(r.stdout, "registration-allowlist.lua: ok") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	broken := writeFile(t, dir, "broken.lua", "return {abi = 1,")
	r = policyCLI(t, dir, "policy", "check", repoPath(t, "plugins/first-party-consent/first-party-consent.lua"), broken,
		repoPath(t, "plugins/registration-allowlist/registration-allowlist.lua"))
	for _, want := range []string{"broken.lua: load: broken.lua: syntax error", "needs client_ids or client_uri_hosts",
		"allowed_domains: a list of domains is required", "3 of 3 plugins failed the check"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.stderr)
		}
	}
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	if r := policyCLI(t, dir, "policy", "check"); r.code != 2 {
		t.Fatalf("no file: exit %d, want 2 (%s)", r.code, r.stderr)
	}
}

// policy test --cases runs a plugin's cases file as its Go tests do, and stops at the first mismatch with a diff.
func TestPolicyTestCases(t *testing.T) {
	dir := t.TempDir()
	plugin := repoPath(t, "plugins/registration-allowlist/registration-allowlist.lua")
	r := policyCLI(t, dir, "policy", "test", "--plugin", plugin, "--cases",
		repoPath(t, "plugins/registration-allowlist/testdata/cases.json"))
	if r.code != 0 || !strings.Contains(r.stdout, "ok   allowed domain\n") || !strings.Contains(r.stdout, "cases passed") {
		t.Fatalf("shipped cases: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}

	in := strings.Replace(registrationInput, "%q", `"https://shop.example.com/"`, 1)
	cases := writeFile(t, dir, "cases.json", `{"config": {"allowed_domains": ["example.com"]}, "cases": [
		{"name": "first", "hook": "validate_registration", "input": `+in+`, "want": {"decision": "accept"}},
		{"name": "second", "hook": "validate_registration", "input": `+in+`,
		 "want": {"decision": "reject", "error": "invalid_client_metadata"}},
		{"name": "never run", "hook": "validate_registration", "input": `+in+`, "want": {"decision": "accept"}}]}`)
	r = policyCLI(t, dir, "policy", "test", "--plugin", plugin, "--cases", cases)
	wantDiff := `-   "decision": "reject",
-   "error": "invalid_client_metadata"
+   "decision": "accept"`
	if r.code != 1 || !strings.Contains(r.stdout, "ok   first\nFAIL second\n") || strings.Contains(r.stdout, "never run") ||
		!strings.Contains(r.stderr, `case "second": the answer differs from want`) || !strings.Contains(r.stderr, wantDiff) {
		t.Fatalf("mismatch: exit %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}

	// --plugin-config replaces the file's config: with another domain, the first case is rejected.
	other := writeFile(t, dir, "other.json", `{"allowed_domains": ["example.org"]}`)
	r = policyCLI(t, dir, "policy", "test", "--plugin", plugin, "--cases", cases, "--plugin-config", other)
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL first") || !strings.Contains(r.stderr, `+   "decision": "reject"`) {
		t.Fatalf("--plugin-config: exit %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}

	for _, tt := range []struct{ name, file, want string }{
		{"a failure that was not expected", writeFile(t, dir, "fail.json", `{"cases": [{"name": "loops", "hook": "scope_policy",
			"input": {"flow": "authorization_code", "client": {"client_id": "c"}, "requested_scopes": [], "granted_scopes": []},
			"want": {"granted_scopes": []}}]}`), "failure: "},
		{"a load error that was not expected", writeFile(t, dir, "load.json", `{"cases": [{"name": "load", "config": {},
			"want_load_error": "nothing like this"}]}`), "a load error containing"},
	} {
		plugin := plugin
		if tt.name == "a failure that was not expected" {
			plugin = repoPath(t, "policy/policytest/testdata/infinite_loop.lua")
		}
		r := policyCLI(t, dir, "policy", "test", "--plugin", plugin, "--cases", tt.file)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d, want 1\nstdout: %s\nstderr: %s", tt.name, r.code, r.stdout, r.stderr)
		}
	}
	if r := policyCLI(t, dir, "policy", "test", "--plugin", plugin, "--cases", cases, "--hook", "consent"); r.code != 2 {
		t.Fatalf("--cases with --hook: exit %d, want 2 (%s)", r.code, r.stderr)
	}
}
