package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// enableRegistration adds a registration key to the test config.
func (e *cliEnv) enableRegistration() {
	e.t.Helper()
	e.appendConfig("registration:\n  key: cli-test-registration-key-0123456789\n")
}

// tokenStatus posts a code exchange with a made-up code and the client's Basic credentials: 400 invalid_grant
// means the client authenticated, 401 invalid_client that it did not.
func tokenStatus(t *testing.T, base, id, secret string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth2/token", strings.NewReader(url.Values{
		"grant_type": {"authorization_code"}, "code": {"ac_made_up"}, "redirect_uri": {"https://app.example.com/cb"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret))))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body.Error
}

// TestCLIRevokeRegisteredClient: a client registered over HTTP with the running server (wired by wire.go) is
// banned with `assentry client revoke` over the admin socket; it stops authenticating at once, and the ban
// outlives a restart. Banned again over the admin API, the first ban and its reason stay, and the audit log has
// one client.revoked line (with the operator's reason as detail) and both admin actions.
func TestCLIRevokeRegisteredClient(t *testing.T) {
	e := newCLIEnv(t)
	e.enableRegistration()
	auditPath := filepath.Join(e.dir, "audit.log")
	adminAddr := freeAddr(t)
	e.appendConfig("admin_listen: " + adminAddr + "\naudit: {file: " + auditPath + "}\n")
	srv := e.startServer()
	base := "http://" + e.addr

	res, err := http.Post(base+"/oauth2/register", "application/json", strings.NewReader(
		`{"client_name":"Spammy","client_uri":"https://app.example.com/","redirect_uris":["https://app.example.com/cb"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.NewDecoder(res.Body).Decode(&reg); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", res.StatusCode, err)
	}
	res.Body.Close()
	if status, code := tokenStatus(t, base, reg.ClientID, reg.ClientSecret); status != http.StatusBadRequest || code != "invalid_grant" {
		t.Fatalf("before the ban: %d %s", status, code)
	}

	out := e.ok("", "client", "revoke", reg.ClientID, "--reason", "sends spam")
	if !strings.Contains(out, `revoked registered client "Spammy" (https://app.example.com/)`) {
		t.Fatalf("revoke: %q", out)
	}
	if status, code := tokenStatus(t, base, reg.ClientID, reg.ClientSecret); status != http.StatusUnauthorized || code != "invalid_client" {
		t.Fatalf("after the ban: %d %s", status, code)
	}
	// The same client banned again over the admin API: answered with the first ban, which stays.
	write := strings.TrimSpace(e.ok("", "admin-token", "create", "--name", "ops", "--scope", "write"))
	bansURL := "http://" + adminAddr + "/v1/hosts/default/client-bans"
	var again struct {
		Ban struct {
			Reason string `json:"reason"`
		} `json:"ban"`
	}
	adminJSON(t, http.MethodPost, bansURL, write, map[string]string{"client_id": reg.ClientID, "reason": "second thoughts"},
		http.StatusOK, &again)
	if again.Ban.Reason != "sends spam" {
		t.Fatalf("the second ban's answer: %+v", again)
	}
	var listed []struct {
		Reason string `json:"reason"`
	}
	adminJSON(t, http.MethodGet, bansURL, write, nil, http.StatusOK, &listed)
	if len(listed) != 1 || listed[0].Reason != "sends spam" {
		t.Fatalf("client-bans after banning twice: %+v", listed)
	}
	lines := readAuditFile(t, auditPath)
	var revoked []map[string]any
	for _, l := range lines {
		if l["event"] == "client.revoked" {
			revoked = append(revoked, l)
		}
	}
	if len(revoked) != 1 || !hasLine(revoked, map[string]string{"client_id": reg.ClientID, "reason": "banned",
		"detail": "sends spam", "host": "default", "actor": "uid:" + strconv.Itoa(os.Getuid())}) {
		t.Fatalf("client.revoked lines after banning twice, want one with the first reason: %v", revoked)
	}
	for _, actor := range []string{"uid:" + strconv.Itoa(os.Getuid()), "token:ops"} {
		if !hasLine(lines, map[string]string{"event": "admin.action", "op": "client.revoke", "outcome": "ok", "actor": actor}) {
			t.Errorf("no admin.action client.revoke by %s: %v", actor, lines)
		}
	}
	sum := sha256.Sum256([]byte(reg.ClientID))
	if out := e.ok("", "client", "revoked"); !strings.Contains(out, "Spammy") || !strings.Contains(out, "sends spam") ||
		!strings.Contains(out, hex.EncodeToString(sum[:])) {
		t.Fatalf("client revoked:\n%s", out)
	}
	// Not a registered client of this host: exit 3; a static client is deleted with `client del` instead: 2.
	if r := e.run("", "client", "revoke", "not-a-client-id"); r.code != 3 || !strings.Contains(r.stderr, "not a client_id registered") {
		t.Fatalf("revoking a bad id: exit %d %s", r.code, r.stderr)
	}
	e.ok("", "client", "add", "--name", "Static", "--client-id", "static-app", "--redirect-uri", "https://s.example/cb")
	if r := e.run("", "client", "revoke", "static-app"); r.code != 2 || !strings.Contains(r.stderr, "client del") {
		t.Fatalf("revoking a static client: exit %d %s", r.code, r.stderr)
	}
	srv.stop()

	// The ban is durable: listed without a server, and still enforced after a restart.
	var bans []map[string]any
	if err := json.Unmarshal([]byte(e.ok("", "client", "revoked", "--json")), &bans); err != nil || len(bans) != 1 || bans[0]["reason"] != "sends spam" {
		t.Fatalf("bans after stopping: %v %v", bans, err)
	}
	e.startServer()
	if status, _ := tokenStatus(t, base, reg.ClientID, reg.ClientSecret); status != http.StatusUnauthorized {
		t.Fatalf("after a restart: %d", status)
	}
}

// TestCLIRevokeWithoutRegistration: with registration off there is nothing to revoke.
func TestCLIRevokeWithoutRegistration(t *testing.T) {
	e := newCLIEnv(t)
	if r := e.run("", "client", "revoke", "eyJhbGciOiJIUzI1NiJ9.e30.x"); r.code != 2 || !strings.Contains(r.stderr, "registration is off") {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
}
