package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// postgresDB creates a database for one test on the server at ASSENTRY_TEST_POSTGRES_DSN (dropped when the test
// ends) and returns its DSN. Without the variable the test skips, and under CI=true it fails.
func postgresDB(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("ASSENTRY_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ASSENTRY_TEST_POSTGRES_DSN is not set: CI must provide a PostgreSQL server")
		}
		t.Skip("ASSENTRY_TEST_POSTGRES_DSN is not set: set it to a PostgreSQL server's DSN to run the PostgreSQL serve tests")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := "assentry_" + strings.ToLower(rand.Text()[:12])
	admin := func(sql string) {
		c, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	admin("CREATE DATABASE " + name)
	t.Cleanup(func() { admin("DROP DATABASE " + name + " WITH (FORCE)") })
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("ASSENTRY_TEST_POSTGRES_DSN must be a postgres:// URL here, got %q", dsn)
	}
	u.Path = "/" + name
	return u.String()
}

// TestServePostgresTwoInstances runs two real servers on one PostgreSQL database: a client added through one
// instance's admin socket authenticates at the other, a token issued at A is active at B's introspection, and a
// revocation at B is seen at A's introspection at once.
func TestServePostgresTwoInstances(t *testing.T) {
	dsn := postgresDB(t)
	conf := "grant_types: [authorization_code, refresh_token, client_credentials]\nkey_encryption_key: " + testKEK +
		"\nstore: {backend: postgres, dsn: '" + dsn + "'}\n"
	a, b := newCLIEnv(t), newCLIEnv(t)
	a.appendConfig(conf)
	b.appendConfig(conf)
	srvA := a.startServer()
	defer srvA.stop()
	id, secret := a.addServiceClient("two-instances")
	srvB := b.startServer()
	defer srvB.stop()
	c := loopbackClient()

	status, body, err := postForm(c, "http://"+a.addr+"/oauth2/token", id, secret, url.Values{"grant_type": {"client_credentials"}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token at A: %d %s %v", status, body, err)
	}
	active := func(base string) bool {
		t.Helper()
		return activeAt(t, c, base, id, secret, tok.AccessToken)
	}
	if !active("http://" + b.addr) {
		t.Fatal("a token issued at A is not active at B")
	}
	if status, body, err := postForm(c, "http://"+b.addr+"/oauth2/revoke", id, secret, url.Values{"token": {tok.AccessToken}}); err != nil || status != http.StatusOK {
		t.Fatalf("revocation at B: %d %s %v", status, body, err)
	}
	if active("http://" + a.addr) {
		t.Fatal("a token revoked at B is still active at A")
	}
}
