package main

import (
	"net/http"

	"context"
	"fmt"
	"github.com/assentry/assentry/core/interaction"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// TestWiredGrants: a host that enables client_credentials and password serves both, and the password grant's
// failures land in the very limiters the login page checks.
func TestWiredGrants(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := writeFile(t, dir, "assentry.yaml", fmt.Sprintf(`issuer: https://auth.example.net
data_dir: %s
grant_types: [authorization_code, refresh_token, client_credentials, password]
argon2: {memory: 64, iterations: 1, parallelism: 1}
`, filepath.Join(dir, "data")))
	s, _, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	parts, _, err := buildHosts(s, badgertest.New(t, nil), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := httpHosts(parts)
	if err != nil {
		t.Fatal(err)
	}
	p, h := parts[0].provider, hosts[0]
	if !p.Serves(oauth.GrantClientCredentials) || !p.Serves(oauth.GrantPassword) {
		t.Fatalf("served: %v", p.GrantTypes())
	}
	if _, err := parts[0].accounts.Add(ctx, account.NewUser{Username: "alice", Password: "correct horse"}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := parts[0].clients.Create(ctx, oauth.ClientSpec{Name: "Legacy", GrantTypes: []string{oauth.GrantPassword},
		AuthMethod: oauth.AuthClientSecretPost})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := parts[0].clients.List(ctx)
	if err != nil || len(cl) != 1 {
		t.Fatalf("clients %v %v", cl, err)
	}
	// Ten failures for alice (the default per-username burst) from one address.
	for range 10 {
		_, e := p.Token(ctx, &oauth.TokenRequest{Params: oauth.Params{"grant_type": oauth.GrantPassword, "username": "alice",
			"password": "wrong"}, Client: oauth.ClientCredentials{ID: cl[0].ID, Secret: secret},
			Transport: oauth.Transport{ClientAddr: "192.0.2.1"}})
		if e == nil || e.Code != oauth.CodeInvalidGrant {
			t.Fatalf("wrong password: %v", e)
		}
	}
	// The login page shares the limiters: alice is limited there too, even from another address and with the
	// right password.
	st, err := h.Flow.Login(ctx, interaction.LoginForm{Username: "alice", Password: "correct horse"},
		interaction.Browser{CSRF: "c", Addr: "192.0.2.2"})
	if err != nil || st.Status != http.StatusTooManyRequests {
		t.Fatalf("login after the grant's failures: %+v %v", st, err)
	}
}
