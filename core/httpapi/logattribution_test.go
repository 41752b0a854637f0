package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/policy"
)

// logLines decodes the JSON log lines whose msg is msg.
func logLines(t *testing.T, logs *testlog.Buffer, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// oneLogLine is the one line of msg whose fields include want; every line of the log it checks carries host
// at most once (slog writes a With attribute and an explicit one both).
func oneLogLine(t *testing.T, logs *testlog.Buffer, msg string, want map[string]any) map[string]any {
	t.Helper()
	for _, raw := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Count(raw, `"host":`) > 1 {
			t.Errorf("a log line names the host twice: %s", raw)
		}
	}
	var found []map[string]any
	for _, l := range logLines(t, logs, msg) {
		ok := true
		for k, v := range want {
			if l[k] != v {
				ok = false
			}
		}
		if ok {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %q lines with %v, want 1; the log:\n%s", len(found), msg, want, logs)
	}
	return found[0]
}

func jsonLogger(logs *testlog.Buffer) *slog.Logger { return slog.New(slog.NewJSONHandler(logs, nil)) }

// TestLogLoginFailed: a refused login is logged with the username as typed and the reason, never the password.
func TestLogLoginFailed(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newEnv(t, withLogger(jsonLogger(logs)))
	e.addUser("alice", "correct horse battery")
	e.addUser("carol", "violet harbour lantern")
	if err := e.users.SetDisabled(context.Background(), "carol", true); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("Alice", "Tr0ub4dor&3")
	b.login("mallory", "hunter2-guess")
	b.login("carol", "violet harbour lantern")
	b.login("bob", "")
	oneLogLine(t, logs, "login failed", map[string]any{"username": "Alice", "reason": "bad_password", "ip": "127.0.0.1"})
	oneLogLine(t, logs, "login failed", map[string]any{"username": "mallory", "reason": "unknown_user"})
	oneLogLine(t, logs, "login failed", map[string]any{"username": "carol", "reason": "disabled_user"})
	oneLogLine(t, logs, "login failed", map[string]any{"username": "bob", "reason": "missing_credentials"})
	for _, pw := range []string{"Tr0ub4dor&3", "hunter2-guess"} {
		if strings.Contains(logs.String(), pw) {
			t.Errorf("a password is in the log")
		}
	}
}

// TestLogRegistrationRefusals: a refused registration's log line names who refused it (the plugin, or the
// built-in rule by the member it checks) and why; the access log alone shows only the 400.
func TestLogRegistrationRefusals(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newRegEnv(t, regConfig{}, withLogger(jsonLogger(logs)),
		withLuaPolicy(t, "example-only", exampleOnly, policy.HookValidateRegistration))
	tests := []struct {
		name, body string
		want       map[string]any
	}{
		{name: "plugin", body: `{"client_name":"Other","client_uri":"https://app.example.org","redirect_uris":["https://app.example.org/cb"]}`,
			want: map[string]any{"decided_by": "example-only", "error": "invalid_client_metadata",
				"reason": "client_uri must be on example.com"}},
		{name: "built-in rule", body: `{"client_name":"Plain","client_uri":"https://app.example.com","redirect_uris":["http://app.example.com/cb"]}`,
			want: map[string]any{"decided_by": "builtin:redirect_uris", "error": "invalid_redirect_uri"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.registerRaw("application/json", tt.body, "")
			if p.status != http.StatusBadRequest {
				t.Fatalf("%d %s", p.status, p.body)
			}
			tt.want["request_id"] = p.header.Get("X-Request-ID")
			l := oneLogLine(t, logs, "client registration refused", tt.want)
			if l["host"] != "test" || l["reason"] == "" {
				t.Errorf("the line lacks its host or reason: %v", l)
			}
		})
	}
}

// TestLogConsentAndScopeDenials: a consent denied by a plugin and a scope a plugin withheld are logged with
// the plugin that decided and its reason; a failing plugin's line has its duration in duration_ms.
func TestLogConsentAndScopeDenials(t *testing.T) {
	logs := &testlog.Buffer{}
	const withholdEmail = `return {abi = 1, scope_policy = function(req)
  local out = {}
  for _, s in ipairs(req.granted_scopes) do if s ~= "email" then out[#out + 1] = s end end
  return {granted_scopes = out, denied = {{scope = "email", reason = "no e-mail for now"}}}
end}`
	const failing = `return {abi = 1, consent = function(req) error("boom") end}` // on_error ask: the chain goes on
	e := newEnv(t, withLogger(jsonLogger(logs)), withLuaPolicy(t, "failing", failing, policy.HookConsent),
		withLuaPolicy(t, "deny-strangers", denyStrangers, policy.HookConsent),
		withLuaPolicy(t, "no-email", withholdEmail, policy.HookScopePolicy))
	e.addUser("alice", "violet harbour lantern")
	_, _, stranger := e.flowClients()
	b := e.browser()
	denied := b.loginAt(b.follow(b.get(authzQuery(stranger, "https://stranger.example.net/cb", "openid email"))), "alice", "violet harbour lantern")
	if q := clientRedirect(t, denied, "https://stranger.example.net/cb?"); q.Get("error") != "access_denied" {
		t.Fatalf("consent deny answered %v", q)
	}
	oneLogLine(t, logs, "consent denied by policy", map[string]any{"client_id": stranger, "decided_by": "deny-strangers",
		"reason": "not for you", "host": "test"})
	oneLogLine(t, logs, "scope denied by policy", map[string]any{"client_id": stranger, "scope": "email",
		"decided_by": "no-email", "reason": "no e-mail for now", "host": "test"})
	l := oneLogLine(t, logs, "policy plugin failed", map[string]any{"plugin": "failing", "hook": "consent", "host": "test"})
	if _, ok := l["duration_ms"].(float64); !ok || l["duration"] != nil {
		t.Errorf("a plugin failure's duration: %v", l)
	}
}
