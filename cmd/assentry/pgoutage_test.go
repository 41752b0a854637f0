package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/internal/tcpproxy"
)

// TestServePostgresOutage runs a real server on PostgreSQL behind a proxy and cuts the database away: the token,
// introspection and revocation endpoints answer 503 temporarily_unavailable with Retry-After and a JSON body
// (never 500), /readyz answers 503 naming the store; once the database is back, the same server issues tokens
// again.
func TestServePostgresOutage(t *testing.T) {
	dsn := postgresDB(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := tcpproxy.New(t, u.Host)
	u.Host = p.Addr()
	e := newCLIEnv(t)
	e.appendConfig("grant_types: [authorization_code, client_credentials]\nkey_encryption_key: " + testKEK +
		"\nstore: {backend: postgres, connect_timeout: 500ms, dsn: '" + u.String() + "'}\n")
	srv := e.startServer()
	defer srv.stop()
	id, secret := e.addServiceClient("outage")
	c := loopbackClient()
	base := "http://" + e.addr

	token := func() (int, []byte) {
		t.Helper()
		status, body, err := postForm(c, base+"/oauth2/token", id, secret, url.Values{"grant_type": {"client_credentials"}})
		if err != nil {
			t.Fatal(err)
		}
		return status, body
	}
	status, body := token()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token before the outage: %d %s", status, body)
	}

	p.Cut()
	for _, ep := range []struct {
		name string
		path string
		form url.Values
	}{
		{"token", "/oauth2/token", url.Values{"grant_type": {"client_credentials"}}},
		{"introspection", "/oauth2/introspect", url.Values{"token": {tok.AccessToken}}},
		{"revocation", "/oauth2/revoke", url.Values{"token": {tok.AccessToken}}},
	} {
		req, _ := http.NewRequest(http.MethodPost, base+ep.path, strings.NewReader(ep.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var oe struct {
			Error string `json:"error"`
		}
		if res.StatusCode != http.StatusServiceUnavailable || json.Unmarshal(body, &oe) != nil || oe.Error != "temporarily_unavailable" ||
			res.Header.Get("Retry-After") == "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s without the database: %d %q Retry-After %q %s, want 503 temporarily_unavailable with Retry-After",
				ep.name, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Retry-After"), body)
		}
	}
	res, err := c.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "store: unavailable") {
		t.Errorf("/readyz without the database: %d %s, want 503 naming the store", res.StatusCode, body)
	}
	t.Logf("/readyz without the database: %s", body)
	if strings.Contains(string(body), "user=") {
		t.Errorf("/readyz shows the database's user: %s", body)
	}

	p.Restore()
	// The pool may still hold a connection that died with the cut and has not been used since: a request that
	// draws it fails (503) and the pool drops it. The server serves again within a few requests, without a
	// restart, and then keeps serving.
	ok := false
	for range 10 {
		if status, body = token(); status == http.StatusOK {
			ok = true
			break
		}
		if status != http.StatusServiceUnavailable {
			t.Fatalf("token after the outage: %d %s, want 200 (or 503 while the pool drops dead connections)", status, body)
		}
	}
	if !ok {
		t.Fatalf("no token after the database came back: %d %s", status, body)
	}
	for i := range 5 {
		if status, body := token(); status != http.StatusOK {
			t.Fatalf("token %d after the outage: %d %s", i, status, body)
		}
	}
	if res, err := c.Get(base + "/readyz"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("/readyz after the outage: %v %v", res, err)
	}
}
