package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
)

// Tests of the audit log through the real server: the host's events go to an audit file as `assentry serve`
// wires it (audit.Files, one sink per host from its audit settings), and each test reads the file back.

// auditLine is one line of the audit log, decoded.
type auditLine map[string]any

func (l auditLine) get(k string) string { s, _ := l[k].(string); return s }

// withAudit writes the host's audit log to path, as audit.file would.
func withAudit(t *testing.T, path string) envOption {
	return func(s *envSetup) {
		s.cfg.Audit = &config.Audit{File: path}
		files := audit.NewFiles(nil)
		t.Cleanup(func() { _ = files.Close() })
		s.build.Events = func(h *config.HostSettings) (events.Sink, error) {
			return files.Sink(h.Audit.File, h.Audit.Events)
		}
	}
}

// withLuaPolicy binds a Lua plugin named name (source src) to hooks.
func withLuaPolicy(t *testing.T, name, src string, hooks ...string) envOption {
	path := filepath.Join(t.TempDir(), name+".lua")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(s *envSetup) {
		s.build.Engines = map[string]policy.Engine{"lua": lua.New(lua.Options{})}
		s.cfg.Policies = append(s.cfg.Policies, config.Policy{Name: name, Lua: path, Hooks: hooks})
	}
}

// readAudit decodes every line of the audit file; each must be one whole JSON object.
func readAudit(t *testing.T, path string) []auditLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []auditLine
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m auditLine
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("audit line %q is not one JSON object: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// eventsOf returns the lines of one kind written for the answer p (by its X-Request-ID).
func eventsOf(t *testing.T, lines []auditLine, kind events.Kind, p page) []auditLine {
	t.Helper()
	id := p.header.Get("X-Request-ID")
	if id == "" {
		t.Fatal("the answer has no X-Request-ID")
	}
	var out []auditLine
	for _, l := range lines {
		if l.get("event") == string(kind) && l.get("request_id") == id {
			out = append(out, l)
		}
	}
	return out
}

// oneEvent is the one line of a kind for the answer p; every field of want must be in it.
func oneEvent(t *testing.T, lines []auditLine, kind events.Kind, p page, want map[string]string) auditLine {
	t.Helper()
	got := eventsOf(t, lines, kind, p)
	if len(got) != 1 {
		t.Fatalf("%d %s lines for request %s, want 1; the log:\n%v", len(got), kind, p.header.Get("X-Request-ID"), lines)
	}
	for k, v := range want {
		if got[0].get(k) != v {
			t.Errorf("%s: %s = %q, want %q (line %v)", kind, k, got[0].get(k), v, got[0])
		}
	}
	if got[0].get("time") == "" || got[0].get("host") != "test" {
		t.Errorf("%s: no time or host: %v", kind, got[0])
	}
	return got[0]
}

func TestAuditLogins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	e := newEnv(t, withAudit(t, path))
	u := e.addUser("alice", "correct horse battery")
	b := e.browser()
	const wrong, guessed = "Tr0ub4dor&3-wrong", "hunter2-guess"
	bad := b.login("alice", wrong)
	unknown := b.login("mallory", guessed)
	ok := b.login("alice", "correct horse battery")
	if bad.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized || ok.status != http.StatusSeeOther {
		t.Fatalf("logins answered %d, %d, %d", bad.status, unknown.status, ok.status)
	}
	lines := readAudit(t, path)
	oneEvent(t, lines, events.LoginFailed, bad, map[string]string{"username": "alice", "reason": "bad_password",
		"ip": "127.0.0.1"})
	oneEvent(t, lines, events.LoginFailed, unknown, map[string]string{"username": "mallory", "reason": "unknown_user"})
	oneEvent(t, lines, events.LoginSucceeded, ok, map[string]string{"username": "alice", "user_id": u.ID})
	raw, _ := os.ReadFile(path)
	for _, pw := range []string{wrong, guessed, "correct horse battery"} {
		if bytes.Contains(raw, []byte(pw)) {
			t.Errorf("a password is in the audit log:\n%s", raw)
		}
	}
}

func TestAuditTokenLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	e := newEnv(t, withAudit(t, path))
	u := e.addUser("alice", "correct horse battery")
	e.tkClient("web", "web-secret", oauth.AuthClientSecretBasic, true)
	const redirect = "https://rp.example/cb"
	form, basic := "application/x-www-form-urlencoded", tkBasic("web", "web-secret")
	b := e.browser()

	// The code flow: login, consent, code, exchange.
	consent := b.follow(b.loginAt(b.follow(b.get(authzQuery("web", redirect, "openid offline_access"))), "alice", "correct horse battery"))
	granted := b.consentAt(consent, "granted", "openid", "offline_access")
	code := clientRedirect(t, granted, redirect+"?").Get("code")
	issued := e.tkPost("/oauth2/token", form, exchangeForm(code).Encode(), basic)
	m := jsonOf(t, issued)
	rt := m["refresh_token"].(string)
	refreshForm := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}.Encode()
	refreshed := e.tkPost("/oauth2/token", form, refreshForm, basic)
	introspected := e.tkPost("/oauth2/introspect", form, "token="+jsonOf(t, refreshed)["access_token"].(string), basic)
	reused := e.tkPost("/oauth2/token", form, refreshForm, basic)
	if issued.status != http.StatusOK || refreshed.status != http.StatusOK || introspected.status != http.StatusOK ||
		reused.status != http.StatusBadRequest {
		t.Fatalf("issue %d, refresh %d, introspect %d, reuse %d", issued.status, refreshed.status, introspected.status,
			reused.status)
	}

	// A second grant (the consent is remembered) whose code is replayed, and a third revoked by the client.
	code = clientRedirect(t, b.get(authzQuery("web", redirect, "openid offline_access")), redirect+"?").Get("code")
	jsonOf(t, e.tkPost("/oauth2/token", form, exchangeForm(code).Encode(), basic))
	replayed := e.tkPost("/oauth2/token", form, exchangeForm(code).Encode(), basic)
	code = clientRedirect(t, b.get(authzQuery("web", redirect, "openid offline_access")), redirect+"?").Get("code")
	third := jsonOf(t, e.tkPost("/oauth2/token", form, exchangeForm(code).Encode(), basic))
	revoked := e.tkPost("/oauth2/revoke", form, "token="+third["refresh_token"].(string), basic)
	if replayed.status != http.StatusBadRequest || revoked.status != http.StatusOK {
		t.Fatalf("replay %d, revoke %d %s", replayed.status, revoked.status, revoked.body)
	}

	lines := readAudit(t, path)
	oneEvent(t, lines, events.ConsentGiven, granted, map[string]string{"user_id": u.ID, "client_id": "web",
		"scope": "openid offline_access"})
	first := oneEvent(t, lines, events.TokenIssued, issued, map[string]string{"grant_type": "authorization_code",
		"client_kind": "confidential", "client_id": "web", "user_id": u.ID, "scope": "openid offline_access"})
	grant := first.get("grant_id")
	if grant == "" {
		t.Fatal("token.issued has no grant_id")
	}
	oneEvent(t, lines, events.TokenRefreshed, refreshed, map[string]string{"grant_type": "refresh_token",
		"client_id": "web", "user_id": u.ID, "grant_id": grant})
	oneEvent(t, lines, events.TokenIntrospect, introspected, map[string]string{"client_id": "web", "outcome": "active",
		"username": "alice"})
	oneEvent(t, lines, events.TokenReuse, reused, map[string]string{"client_id": "web", "grant_id": grant,
		"reason": "refresh_token_reused"})
	oneEvent(t, lines, events.TokenReuse, replayed, map[string]string{"client_id": "web", "reason": "code_replayed"})
	oneEvent(t, lines, events.TokenRevoked, revoked, map[string]string{"client_id": "web", "user_id": u.ID,
		"reason": "revocation_endpoint"})
	raw, _ := os.ReadFile(path)
	for _, secret := range []string{m["access_token"].(string), rt, code, "web-secret"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("a token or secret is in the audit log: %s", secret)
		}
	}
}

// exampleOnly is the README's registration plugin: only clients on example.com may register.
const exampleOnly = `return {abi = 1, validate_registration = function(req)
  local host = ((req.metadata.client_uri or "") .. "/"):lower():match("^https://([^/:?#@]+)[/:?#]")
  if host == "example.com" or (host or ""):sub(-12) == ".example.com" then
    return {decision = "accept"}
  end
  return {decision = "reject", error = "invalid_client_metadata", error_description = "client_uri must be on example.com"}
end}`

func TestAuditRegistrationAndPolicyDenial(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	e := newRegEnv(t, regConfig{}, withAudit(t, path),
		withLuaPolicy(t, "example-only", exampleOnly, policy.HookValidateRegistration))
	accepted := e.registerRaw("application/json", `{"client_name":"App","client_uri":"https://app.example.com",
		"redirect_uris":["https://app.example.com/cb"],"scope":"openid"}`, "")
	refused := e.registerRaw("application/json", `{"client_name":"Other","client_uri":"https://app.example.org",
		"redirect_uris":["https://app.example.org/cb"]}`, "")
	if accepted.status != http.StatusCreated || refused.status != http.StatusBadRequest {
		t.Fatalf("registrations answered %d, %d: %s", accepted.status, refused.status, refused.body)
	}
	var r registered
	if err := json.Unmarshal([]byte(accepted.body), &r); err != nil {
		t.Fatal(err)
	}
	lines := readAudit(t, path)
	oneEvent(t, lines, events.ClientRegistered, accepted, map[string]string{"client_id": r.ClientID,
		"client_kind": "confidential", "scope": "openid", "ip": "127.0.0.1"})
	oneEvent(t, lines, events.PolicyDenied, refused, map[string]string{"hook": "validate_registration",
		"decided_by": "example-only", "error": "invalid_client_metadata", "reason": "client_uri must be on example.com"})
	if got := eventsOf(t, lines, events.ClientRegistered, refused); len(got) != 0 {
		t.Errorf("a refused registration was logged as registered: %v", got)
	}
	if raw, _ := os.ReadFile(path); bytes.Contains(raw, []byte(r.ClientSecret)) {
		t.Error("the client secret is in the audit log")
	}
}

// Management operations over the admin socket are audited with the peer's uid; a forced key rotation names the
// new key.
func TestAuditAdminActionAndKeyRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	e := newEnv(t, withAudit(t, path))
	svc := &admin.Services{Default: "test", Hosts: map[string]*admin.HostServices{"test": {Accounts: e.svc.Accounts,
		Clients: e.svc.Clients, Keys: e.svc.Keys, Registry: e.svc.Registry, Events: e.svc.Events}}}
	dataDir := t.TempDir()
	srv, err := admin.Listen(dataDir, svc, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(context.Background()) })
	cl, err := admin.Dial(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal(admin.KeysArgs{Algorithm: "ES256"})
	resp, err := cl.Do(context.Background(), admin.Request{Op: admin.OpKeysRotate, Args: args})
	if err != nil || resp.Error != nil {
		t.Fatalf("keys.rotate: %v %+v", err, resp.Error)
	}
	var keys []token.KeyInfo
	if err := json.Unmarshal(resp.Result, &keys); err != nil || len(keys) != 1 {
		t.Fatalf("keys.rotate answered %s (%v)", resp.Result, err)
	}
	rotated := keys[0]
	if resp, err = cl.Do(context.Background(), admin.Request{Op: admin.OpUserDel,
		Args: json.RawMessage(`{"username":"ghost"}`)}); err != nil || resp.Error == nil {
		t.Fatalf("deleting an unknown user: %v %+v", err, resp)
	}

	actor := "uid:" + strconv.Itoa(os.Getuid())
	var rotations, actions []auditLine
	for _, l := range readAudit(t, path) {
		switch l.get("event") {
		case string(events.KeyRotated):
			if l.get("reason") == "forced" {
				rotations = append(rotations, l)
			}
		case string(events.AdminAction):
			actions = append(actions, l)
		}
	}
	if len(rotations) != 1 || rotations[0].get("kid") != rotated.KID || rotations[0].get("alg") != "ES256" ||
		rotations[0].get("actor") != actor {
		t.Errorf("forced rotations: %v, want one of kid %s by %s", rotations, rotated.KID, actor)
	}
	want := []string{"keys.rotate ok  " + actor, "user.del failed not_found " + actor}
	var got []string
	for _, l := range actions {
		got = append(got, strings.Join([]string{l.get("op"), l.get("outcome"), l.get("reason"), l.get("actor")}, " "))
		if l.get("host") != "test" {
			t.Errorf("admin.action without its host: %v", l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("admin actions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// denyStrangers denies consent to every client but "web".
const denyStrangers = `return {abi = 1, consent = function(req)
  if req.client.client_id ~= "web" then return {decision = "deny", error_description = "not for you"} end
  return {decision = "ask"}
end}`

func TestAuditConsentDeniedByPlugin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	e := newEnv(t, withAudit(t, path), withLuaPolicy(t, "deny-strangers", denyStrangers, policy.HookConsent))
	u := e.addUser("alice", "correct horse battery")
	_, _, stranger := e.flowClients()
	b := e.browser()
	denied := b.loginAt(b.follow(b.get(authzQuery(stranger, "https://stranger.example.net/cb", "openid"))), "alice", "correct horse battery")
	if q := clientRedirect(t, denied, "https://stranger.example.net/cb?"); q.Get("error") != "access_denied" {
		t.Fatalf("consent deny answered %v", q)
	}
	oneEvent(t, readAudit(t, path), events.PolicyDenied, denied, map[string]string{"hook": "consent",
		"decided_by": "deny-strangers", "client_id": stranger, "user_id": u.ID, "scope": "openid", "reason": "not for you"})
}

// logLinesOf decodes the server's JSON log lines whose msg is msg.
func logLinesOf(t *testing.T, logs string, msg string) []auditLine {
	t.Helper()
	var out []auditLine
	for _, l := range strings.Split(logs, "\n") {
		if l == "" {
			continue
		}
		var m auditLine
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m.get("msg") == msg {
			out = append(out, m)
		}
	}
	return out
}

// TestAuditDenialAsLogged: a policy.denied line carries what the server log's line of the same denial says:
// decided_by (a built-in registration rule as builtin:<member>, not just builtin), the error code and the
// plugin's or rule's description as reason, for a built-in rule, a plugin's registration reject and a plugin's
// consent deny.
func TestAuditDenialAsLogged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	logs := &testlog.Buffer{}
	e := newRegEnv(t, regConfig{}, withAudit(t, path), withLogger(slog.New(slog.NewJSONHandler(logs, nil))),
		withLuaPolicy(t, "example-only", exampleOnly, policy.HookValidateRegistration))
	// The built-in rules run first: a redirect URI on another host than client_uri is refused by them.
	builtin := e.registerRaw("application/json", `{"client_name":"App","client_uri":"https://app.example.com",
		"redirect_uris":["https://elsewhere.example.net/cb"]}`, "")
	plugin := e.registerRaw("application/json", `{"client_name":"Other","client_uri":"https://app.example.org",
		"redirect_uris":["https://app.example.org/cb"]}`, "")
	if builtin.status != http.StatusBadRequest || plugin.status != http.StatusBadRequest {
		t.Fatalf("registrations answered %d, %d", builtin.status, plugin.status)
	}
	lines := readAudit(t, path)
	logged := logLinesOf(t, logs.String(), "client registration refused")
	for _, tt := range []struct {
		name      string
		p         page
		decidedBy string
	}{{"built-in rule", builtin, "builtin:redirect_uris"}, {"plugin", plugin, "example-only"}} {
		t.Run(tt.name, func(t *testing.T) {
			a := oneEvent(t, lines, events.PolicyDenied, tt.p, map[string]string{"decided_by": tt.decidedBy,
				"hook": "validate_registration"})
			var l auditLine
			for _, c := range logged {
				if c.get("request_id") == tt.p.header.Get("X-Request-ID") {
					l = c
				}
			}
			if l == nil {
				t.Fatalf("no log line for the refusal in\n%s", logs)
			}
			for _, k := range []string{"decided_by", "error", "reason", "ip", "request_id"} {
				if a.get(k) == "" || a.get(k) != l.get(k) {
					t.Errorf("%s: audit %q, log %q", k, a.get(k), l.get(k))
				}
			}
		})
	}
}

// TestAuditConsentDenialAsLogged: the consent deny's audit line has the log line's decided_by and reason.
func TestAuditConsentDenialAsLogged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	logs := &testlog.Buffer{}
	e := newEnv(t, withAudit(t, path), withLogger(slog.New(slog.NewJSONHandler(logs, nil))),
		withLuaPolicy(t, "deny-strangers", denyStrangers, policy.HookConsent))
	e.addUser("alice", "correct horse battery")
	_, _, stranger := e.flowClients()
	b := e.browser()
	denied := b.loginAt(b.follow(b.get(authzQuery(stranger, "https://stranger.example.net/cb", "openid"))), "alice", "correct horse battery")
	a := oneEvent(t, readAudit(t, path), events.PolicyDenied, denied, map[string]string{"hook": "consent"})
	logged := logLinesOf(t, logs.String(), "consent denied by policy")
	if len(logged) != 1 {
		t.Fatalf("%d consent denial log lines, want 1:\n%s", len(logged), logs)
	}
	for _, k := range []string{"decided_by", "reason", "client_id", "user_id"} {
		if a.get(k) == "" || a.get(k) != logged[0].get(k) {
			t.Errorf("%s: audit %q, log %q", k, a.get(k), logged[0].get(k))
		}
	}
}
