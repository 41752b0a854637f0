package oauth

import (
	"context"
	"errors"
	"testing"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

func newClients(t *testing.T) (*Clients, store.Store) {
	st := badgertest.New(t, nil)
	return NewClients("h1", st.Clients(), []string{GrantAuthorizationCode, GrantRefreshToken}, nil), st
}

func TestClientSpecRules(t *testing.T) {
	c, _ := newClients(t)
	ok := ClientSpec{Name: "App", RedirectURIs: []string{"https://app.example.com/cb"}}
	tests := []struct {
		name      string
		mod       func(*ClientSpec)
		wantField string // "" = accepted
	}{
		{"minimal confidential", func(*ClientSpec) {}, ""},
		{"public", func(s *ClientSpec) { s.Public = true }, ""},
		{"private-use scheme redirect", func(s *ClientSpec) { s.RedirectURIs = []string{"com.example.app:/cb"} }, ""},
		{"name required", func(s *ClientSpec) { s.Name = " " }, "client_name"},
		{"relative redirect", func(s *ClientSpec) { s.RedirectURIs = []string{"/cb"} }, "redirect_uris"},
		{"fragment in redirect", func(s *ClientSpec) { s.RedirectURIs = []string{"https://a.example/cb#x"} }, "redirect_uris"},
		{"code grant without redirect", func(s *ClientSpec) { s.RedirectURIs = nil }, "redirect_uris"},
		{"grant not on host", func(s *ClientSpec) { s.GrantTypes = []string{GrantClientCredentials} }, "grant_types"},
		{"public with secret method", func(s *ClientSpec) { s.Public = true; s.AuthMethod = AuthClientSecretPost }, "token_endpoint_auth_method"},
		{"unknown auth method", func(s *ClientSpec) { s.AuthMethod = "private_key_jwt" }, "token_endpoint_auth_method"},
		{"bad scope token", func(s *ClientSpec) { s.Scopes = []string{`a"b`} }, "scope"},
		{"client_uri userinfo", func(s *ClientSpec) { s.ClientURI = "https://u:p@app.example.com" }, "client_uri"},
		{"tos not a URL", func(s *ClientSpec) { s.TOSURI = "ftp://x" }, "tos_uri"},
		{"bad post-logout", func(s *ClientSpec) { s.PostLogoutRedirectURIs = []string{"nope"} }, "post_logout_redirect_uris"},
		{"id with space", func(s *ClientSpec) { s.ID = "a b" }, "client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := ok
			spec.RedirectURIs = append([]string(nil), ok.RedirectURIs...)
			tt.mod(&spec)
			_, _, err := c.Create(context.Background(), spec)
			var se *ClientSpecError
			switch {
			case tt.wantField == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.wantField != "" && (!errors.As(err, &se) || se.Field != tt.wantField):
				t.Fatalf("err = %v, want a %s error", err, tt.wantField)
			}
		})
	}
}

// TestClientSpecGrantsWithoutUser: where the host serves them, a static client can hold client_credentials and
// password, without redirect URIs; a public one cannot (RFC 6749 §4.4, §4.3). A generated client_id never has the
// shape of a user id, so the client may act for itself under the opaque subject format (RFC 9700 §4.15).
func TestClientSpecGrantsWithoutUser(t *testing.T) {
	st := badgertest.New(t, nil)
	c := NewClients("h1", st.Clients(), []string{GrantAuthorizationCode, GrantClientCredentials, GrantPassword}, nil)
	ctx := context.Background()
	for _, grants := range [][]string{{GrantClientCredentials}, {GrantPassword}, {GrantClientCredentials, GrantPassword}} {
		cl, secret, err := c.Create(ctx, ClientSpec{Name: "Service", GrantTypes: grants})
		if err != nil || secret == "" || cl.TokenEndpointAuthMethod != AuthClientSecretBasic {
			t.Fatalf("%v: %+v %v", grants, cl, err)
		}
		if len(cl.ID) != 40 || (&Provider{}).subjectCollides(cl.ID) {
			t.Fatalf("generated client_id %q could pass for a user id", cl.ID)
		}
		_, _, err = c.Create(ctx, ClientSpec{Name: "Public", GrantTypes: grants, Public: true})
		var se *ClientSpecError
		if !errors.As(err, &se) || se.Field != "grant_types" {
			t.Fatalf("%v for a public client: %v", grants, err)
		}
	}
}

func TestClientLifecycle(t *testing.T) {
	ctx := context.Background()
	c, _ := newClients(t)
	cl, secret, err := c.Create(ctx, ClientSpec{Name: "App", RedirectURIs: []string{"https://app.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 43 || cl.SecretHash == secret || !CheckClientSecret(cl.SecretHash, secret) {
		t.Fatalf("secret %q / hash %q", secret, cl.SecretHash)
	}
	if cl.TokenEndpointAuthMethod != AuthClientSecretBasic || len(cl.GrantTypes) != 2 {
		t.Fatalf("defaults: %+v", cl)
	}
	if CheckClientSecret(cl.SecretHash, secret+"x") || CheckClientSecret(cl.SecretHash, "") {
		t.Fatal("a wrong secret was accepted")
	}
	newSecret, err := c.RotateSecret(ctx, cl.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.Get(ctx, cl.ID)
	if CheckClientSecret(got.SecretHash, secret) || !CheckClientSecret(got.SecretHash, newSecret) {
		t.Fatal("rotation did not replace the secret")
	}
	// Making it public drops the secret; making it confidential again makes a new one.
	upd, s2, err := c.Update(ctx, cl.ID, ClientSpec{Name: "App", Public: true, RedirectURIs: []string{"http://127.0.0.1/cb"}})
	if err != nil || s2 != "" || upd.SecretHash != "" || upd.TokenEndpointAuthMethod != AuthNone {
		t.Fatalf("to public: %+v %q %v", upd, s2, err)
	}
	upd, s3, err := c.Update(ctx, cl.ID, ClientSpec{Name: "App", RedirectURIs: []string{"https://a.example/cb"}})
	if err != nil || s3 == "" || !CheckClientSecret(upd.SecretHash, s3) {
		t.Fatalf("to confidential: %+v %q %v", upd, s3, err)
	}
	if _, _, err := c.Create(ctx, ClientSpec{ID: cl.ID, Name: "Dup", RedirectURIs: []string{"https://a.example/cb"}}); !errors.Is(err, ErrClientExists) {
		t.Fatalf("duplicate id: %v", err)
	}
	if err := c.Delete(ctx, cl.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, cl.ID); !errors.Is(err, ErrClientNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestSyncConfig(t *testing.T) {
	ctx := context.Background()
	c, _ := newClients(t)
	cli, _, _ := c.Create(ctx, ClientSpec{ID: "cli-made", Name: "CLI", RedirectURIs: []string{"https://a.example/cb"}})
	decl := []ConfigClient{
		{Spec: ClientSpec{ID: "dash", Name: "Dashboard", RedirectURIs: []string{"https://d.example/cb"}}, SecretSHA256: Digest("s3cret")},
		{Spec: ClientSpec{ID: "tool", Name: "Tool", Public: true, RedirectURIs: []string{"http://127.0.0.1/cb"}}},
	}
	if err := c.SyncConfig(ctx, decl); err != nil {
		t.Fatal(err)
	}
	dash, err := c.Get(ctx, "dash")
	if err != nil || !dash.FromConfig || !CheckClientSecret(dash.SecretHash, "s3cret") {
		t.Fatalf("dash: %+v %v", dash, err)
	}
	if _, err := c.RotateSecret(ctx, "dash"); !errors.Is(err, ErrFromConfig) {
		t.Fatalf("rotating a config client: %v", err)
	}
	if err := c.Delete(ctx, "dash"); !errors.Is(err, ErrFromConfig) {
		t.Fatalf("deleting a config client: %v", err)
	}
	// Dropping "tool" from the file deletes it; the CLI-made client stays.
	if err := c.SyncConfig(ctx, decl[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "tool"); !errors.Is(err, ErrClientNotFound) {
		t.Fatalf("undeclared config client kept: %v", err)
	}
	if _, err := c.Get(ctx, cli.ID); err != nil {
		t.Fatalf("CLI client removed by sync: %v", err)
	}
	clash := []ConfigClient{{Spec: ClientSpec{ID: "cli-made", Name: "X", RedirectURIs: []string{"https://a.example/cb"}}}}
	if err := c.SyncConfig(ctx, clash); err == nil {
		t.Fatal("a config client replaced a CLI-made one")
	}
}
