package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// adminCall sends one admin API request with a bearer token ("" for none) and returns the status, the headers
// and the body.
func adminCall(t *testing.T, method, endpoint, token string, body any) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, endpoint, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := loopbackClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

// adminJSON is adminCall that expects status and decodes the answer into out (when not nil).
func adminJSON(t *testing.T, method, endpoint, token string, body any, status int, out any) {
	t.Helper()
	got, _, b := adminCall(t, method, endpoint, token, body)
	if got != status {
		t.Fatalf("%s %s: %d %s, want %d", method, endpoint, got, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %q: %v", method, endpoint, b, err)
		}
	}
}

// passwordTokens signs alice in with the password grant and returns the access token.
func passwordTokens(t *testing.T, cl crashClient) string {
	t.Helper()
	var tok tokens
	status, body, err := cl.post("/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"alice"},
		"password": {"the admin API password"}, "scope": {"openid"}}, &tok)
	if err != nil || status != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("password grant: %d %s %v", status, body, err)
	}
	return tok.AccessToken
}

type grantRow struct {
	ID       string `json:"grant_id"`
	ClientID string `json:"client_id"`
}

// TestAdminAPI runs the real binary with admin_listen on a free loopback port: tokens made with the CLI (with the
// server stopped and running), users made over the API, a user's grants after a token issuance listed over the
// API and the CLI alike, a grant revoked over the API and one with the CLI, each seen inactive at /introspect,
// scopes enforced, and a revoked admin token refused.
func TestAdminAPI(t *testing.T) {
	e := newCLIEnv(t)
	adminAddr := freeAddr(t)
	auditPath := filepath.Join(e.dir, "audit.log")
	e.appendConfig("admin_listen: " + adminAddr + "\ngrant_types: [authorization_code, refresh_token, password]\n" +
		"audit: {file: " + auditPath + "}\n")
	api := "http://" + adminAddr

	// A token made with no server running (directly on the data directory), another over the admin socket.
	write := strings.TrimSpace(e.ok("", "admin-token", "create", "--name", "ops", "--scope", "write"))
	if !strings.HasPrefix(write, "asa_") || len(write) != 4+43 {
		t.Fatalf("admin-token create printed %q", write)
	}
	if r := e.run("", "admin-token", "create", "--name", "ops", "--scope", "read"); r.code != 4 {
		t.Fatalf("a second token named ops: exit %d %s", r.code, r.stderr)
	}
	if r := e.run("", "admin-token", "create", "--name", "x", "--scope", "admin"); r.code != 2 {
		t.Fatalf("an unknown scope: exit %d %s", r.code, r.stderr)
	}
	srv := e.startServer()
	read := strings.TrimSpace(e.ok("", "admin-token", "create", "--name", "monitor", "--scope", "read", "--expires", "90d"))
	if out := e.ok("", "admin-token", "list"); !strings.Contains(out, "ops") || !strings.Contains(out, "monitor") ||
		strings.Contains(out, write) || strings.Contains(out, read) {
		t.Fatalf("admin-token list:\n%s", out)
	}

	var hosts []struct {
		ID string `json:"id"`
	}
	adminJSON(t, http.MethodGet, api+"/v1/hosts", read, nil, http.StatusOK, &hosts)
	if len(hosts) != 1 || hosts[0].ID != "default" {
		t.Fatalf("hosts: %+v", hosts)
	}
	users := api + "/v1/hosts/default/users"
	// Scopes: a read token lists but cannot create.
	if status, h, b := adminCall(t, http.MethodPost, users, read, map[string]any{"username": "alice", "password": "x"}); status != http.StatusForbidden ||
		!strings.Contains(string(b), "insufficient_scope") || !strings.Contains(h.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Fatalf("read token creating a user: %d %s", status, b)
	}
	adminJSON(t, http.MethodPost, users, write, map[string]any{"username": "alice", "password": "the admin API password"}, http.StatusCreated, nil)
	var list []struct {
		Username string `json:"username"`
	}
	adminJSON(t, http.MethodGet, users, read, nil, http.StatusOK, &list)
	if len(list) != 1 || list[0].Username != "alice" {
		t.Fatalf("users: %+v", list)
	}
	// The CLI sees what the API made: one code path.
	if out := e.ok("", "user", "list"); !strings.Contains(out, "alice") {
		t.Fatalf("user list:\n%s", out)
	}

	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	adminJSON(t, http.MethodPost, api+"/v1/hosts/default/clients", write, map[string]any{"client_id": "app",
		"client_name": "App", "grant_types": []string{"password", "refresh_token"}, "introspect": true}, http.StatusCreated, &app)
	cl := crashClient{base: "http://" + e.addr, id: app.ClientID, secret: app.ClientSecret, c: loopbackClient()}

	// A grant issued over OAuth, listed over the API and the CLI, revoked over the API: its token is inactive.
	at := passwordTokens(t, cl)
	if msg := introspect(cl, at, true); msg != "" {
		t.Fatal(msg)
	}
	var grants []grantRow
	adminJSON(t, http.MethodGet, users+"/alice/grants", read, nil, http.StatusOK, &grants)
	if len(grants) != 1 || grants[0].ClientID != "app" {
		t.Fatalf("grants: %+v", grants)
	}
	var cliGrants []grantRow
	if err := json.Unmarshal([]byte(e.ok("", "grant", "list", "alice", "--json")), &cliGrants); err != nil ||
		len(cliGrants) != 1 || cliGrants[0].ID != grants[0].ID {
		t.Fatalf("grant list --json: %+v %v", cliGrants, err)
	}
	if status, _, b := adminCall(t, http.MethodDelete, api+"/v1/hosts/default/grants/"+grants[0].ID, read, nil); status != http.StatusForbidden {
		t.Fatalf("read token revoking a grant: %d %s", status, b)
	}
	adminJSON(t, http.MethodDelete, api+"/v1/hosts/default/grants/"+grants[0].ID, write, nil, http.StatusNoContent, nil)
	if msg := introspect(cl, at, false); msg != "" {
		t.Fatalf("after revoking its grant over the API: %s", msg)
	}

	// The same with the CLI's `grant revoke`, over the admin socket.
	at2 := passwordTokens(t, cl)
	adminJSON(t, http.MethodGet, users+"/alice/grants", read, nil, http.StatusOK, &grants)
	if len(grants) != 1 {
		t.Fatalf("grants after a second sign-in: %+v", grants)
	}
	if out := e.ok("", "grant", "revoke", grants[0].ID); !strings.Contains(out, "revoked") {
		t.Fatalf("grant revoke: %q", out)
	}
	if msg := introspect(cl, at2, false); msg != "" {
		t.Fatalf("after grant revoke: %s", msg)
	}
	if strings.HasPrefix(grants[0].ID, "-") {
		t.Fatalf("grant id %q begins with a dash: it reads as a flag on the command line", grants[0].ID)
	}
	// An id given after "--" (how an old base64url id that began with "-" is revoked) reaches the command.
	if r := e.run("", "grant", "revoke", "--", "-"+grants[0].ID); r.code != 3 {
		t.Fatalf("revoking an unknown grant after --: exit %d %s", r.code, r.stderr)
	}
	if r := e.run("", "grant", "revoke", grants[0].ID+"-unknown"); r.code != 3 {
		t.Fatalf("revoking an unknown grant: exit %d %s", r.code, r.stderr)
	}
	at3 := passwordTokens(t, cl)
	if out := e.ok("", "grant", "revoke", "--user", "alice"); !strings.Contains(out, "revoked 1 grants of alice") {
		t.Fatalf("grant revoke --user: %q", out)
	}
	if msg := introspect(cl, at3, false); msg != "" {
		t.Fatalf("after grant revoke --user: %s", msg)
	}

	// A revoked admin token is refused at once; so is none at all. The document needs no token.
	e.ok("", "admin-token", "revoke", "monitor")
	for _, tok := range []string{read, ""} {
		status, h, b := adminCall(t, http.MethodGet, users, tok, nil)
		if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("token %q after revocation: %d %s", tok, status, b)
		}
	}
	if status, _, b := adminCall(t, http.MethodGet, api+"/v1/openapi.json", "", nil); status != http.StatusOK || !strings.Contains(string(b), `"openapi": "3.1.0"`) {
		t.Fatalf("openapi.json: %d", status)
	}
	// The metrics, on the same listener without a token: the password grants above, counted by grant, and the
	// admin listener's own requests are not among the public listener's.
	status, _, b := adminCall(t, http.MethodGet, api+"/metrics", "", nil)
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", status, b)
	}
	for _, want := range []string{
		`assentry_tokens_total{client_kind="confidential",event="token.issued",grant_type="password",host="default"} 3`,
		`assentry_logins_total{host="default",outcome="ok"} 3`,
		`assentry_http_requests_total{endpoint="/oauth2/token",host="default",status="200"} 3`,
		`assentry_tokens_total{client_kind="",event="token.revoked",grant_type="",host="default"} 3`,
		`assentry_build_info{`,
		`assentry_store_free_bytes`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, b)
		}
	}
	// A backup over the API: a read token may not take one; a write token streams one that restores into a new
	// data directory holding what the API made.
	if status, _, _ := adminCall(t, http.MethodGet, api+"/v1/backup", read, nil); status != http.StatusUnauthorized {
		t.Fatalf("backup with a revoked read token: %d", status)
	}
	status, _, backup := adminCall(t, http.MethodGet, api+"/v1/backup", write, nil)
	if status != http.StatusOK || len(backup) == 0 {
		t.Fatalf("backup over the API: %d, %d bytes", status, len(backup))
	}
	backupFile := filepath.Join(e.dir, "api.backup")
	if err := os.WriteFile(backupFile, backup, 0o600); err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(e.dir, "restored")
	e.ok("", "restore", backupFile, "--data-dir", restored)
	// The public listener serves no admin API.
	if status, _, _ := adminCall(t, http.MethodGet, "http://"+e.addr+"/v1/hosts", write, nil); status == http.StatusOK {
		t.Fatal("the admin API answers on the public listener")
	}
	srv.stop()
	if _, err := loopbackClient().Get(api + "/v1/openapi.json"); err == nil {
		t.Fatal("the admin listener still answers after the server stopped")
	}
	// Refused authentications are audited like refused operations, with the address and, for a token of too
	// small a scope, the token; the operation is the one asked for.
	lines := readAuditFile(t, auditPath)
	for _, want := range []map[string]string{
		{"event": "admin.action", "op": "user.add", "outcome": "failed", "reason": "insufficient_scope",
			"actor": "token:monitor", "ip": "127.0.0.1", "host": "default"},
		{"event": "admin.action", "op": "user.list", "outcome": "failed", "reason": "bad_token", "ip": "127.0.0.1"},
		{"event": "admin.action", "op": "user.list", "outcome": "failed", "reason": "no_token", "ip": "127.0.0.1"},
		{"event": "admin.action", "op": "backup", "outcome": "failed", "reason": "bad_token"},
		// The backup taken: it holds every password hash, so who took it is in the log.
		{"event": "admin.action", "op": "backup", "outcome": "ok", "actor": "token:ops", "host": "default"},
		{"event": "admin.action", "op": "user.add", "outcome": "ok", "actor": "token:ops"},
	} {
		if !hasLine(lines, want) {
			t.Errorf("no audit line with %v", want)
		}
	}
	if out := e.ok("", "admin-token", "list"); !strings.Contains(out, "ops") || strings.Contains(out, "monitor") {
		t.Fatalf("admin-token list after stopping:\n%s", out)
	}
	e.useDataDir(restored)
	if out := e.ok("", "user", "list"); !strings.Contains(out, "alice") {
		t.Fatalf("user list on the restored backup:\n%s", out)
	}
	if out := e.ok("", "admin-token", "list"); !strings.Contains(out, "ops") {
		t.Fatalf("admin-token list on the restored backup:\n%s", out)
	}
}

// TestAdminListenRemoteRefused: a non-loopback admin_listen stops the server at start unless the opt-in is set.
func TestAdminListenRemoteRefused(t *testing.T) {
	e := newCLIEnv(t)
	e.appendConfig("admin_listen: 0.0.0.0:0\n")
	r := e.run("", "serve")
	if r.code == 0 || !strings.Contains(r.stderr, `admin_listen: "0.0.0.0:0" is not a loopback address`) {
		t.Fatalf("serve with a public admin_listen: exit %d\n%s", r.code, r.stderr)
	}
}
