package assembly

import (
	"context"
	"net/http"
	"testing"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/core/oauth"
)

// TestWiredGrants: a host that enables client_credentials and password serves both (with the device grant it
// serves by default), and the password grant's failures land in the very limiters the login page checks.
func TestWiredGrants(t *testing.T) {
	ctx := context.Background()
	s := mustBuild(t, hostOf(t, fastHost+"grant_types: [authorization_code, refresh_token, device_code, client_credentials, password]\n"), fast)
	p := s.OAuth
	for _, g := range []string{oauth.GrantDeviceCode, oauth.GrantClientCredentials, oauth.GrantPassword} {
		if !p.Serves(g) {
			t.Fatalf("%s not served: %v", g, p.GrantTypes())
		}
	}
	if _, err := s.Accounts.Add(ctx, account.NewUser{Username: "alice", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	cl, secret, err := s.Clients.Create(ctx, oauth.ClientSpec{Name: "Legacy", GrantTypes: []string{oauth.GrantPassword},
		AuthMethod: oauth.AuthClientSecretPost})
	if err != nil {
		t.Fatal(err)
	}
	// Ten failures for alice (the default per-username burst) from one address.
	for range 10 {
		_, e := p.Token(ctx, &oauth.TokenRequest{Params: oauth.Params{"grant_type": oauth.GrantPassword, "username": "alice",
			"password": "wrong"}, Client: oauth.ClientCredentials{ID: cl.ID, Secret: secret},
			Transport: oauth.Transport{ClientAddr: "192.0.2.1"}})
		if e == nil || e.Code != oauth.CodeInvalidGrant {
			t.Fatalf("wrong password: %v", e)
		}
	}
	// The login page shares the limiters: alice is limited there too, from another address and with the right
	// password.
	st, err := s.Flow.Login(ctx, interaction.LoginForm{Username: "alice", Password: "correct horse battery"},
		interaction.Browser{CSRF: "c", Addr: "192.0.2.2"})
	if err != nil || st.Status != http.StatusTooManyRequests {
		t.Fatalf("login after the grant's failures: %+v %v", st, err)
	}
}
