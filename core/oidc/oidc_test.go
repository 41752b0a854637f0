package oidc

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/golang-jwt/jwt/v5"
)

var (
	t0   = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	user = &store.User{ID: "u-1", Username: "alice", Name: "Alice A.", Email: "alice@example.com", EmailVerified: true,
		Locale: "fr", UpdatedAt: t0, Roles: []string{"user"}}
)

func TestUserClaimsPerScope(t *testing.T) {
	bare := &store.User{ID: "u-2", Username: "bob"}
	tests := []struct {
		name   string
		u      *store.User
		scopes []string
		want   []string
	}{
		{"openid only", user, []string{"openid"}, nil},
		{"profile", user, []string{"openid", "profile"}, []string{"locale", "name", "preferred_username", "updated_at"}},
		{"email", user, []string{"openid", "email"}, []string{"email", "email_verified"}},
		{"both", user, []string{"profile", "email"}, []string{"email", "email_verified", "locale", "name", "preferred_username", "updated_at"}},
		{"only the claims the user has", bare, []string{"profile", "email"}, []string{"preferred_username"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for k := range UserClaims(tt.u, tt.scopes) {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("claims %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSubjects(t *testing.T) {
	if got := (Subjects{Format: SubjectOpaque}).Of(user); got != "u-1" {
		t.Fatalf("opaque: %q", got)
	}
	if got := (Subjects{Format: SubjectXMPP, Domain: "example.com"}).Of(user); got != "xmpp:alice@example.com" {
		t.Fatalf("xmpp: %q", got)
	}
}

// newKeys is a key manager on real Badger with fast algorithms.
func newKeys(t *testing.T) *token.Manager {
	t.Helper()
	st := badgertest.New(t, nil)
	m, err := token.New(token.Options{Host: "h", Keys: st.Keys(), Algorithms: []string{token.ES256, token.EdDSA}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

// noPlugins is the policy chain of a host without plugins (the claims hook then adds nothing).
func noPlugins(t *testing.T) policy.Policy {
	t.Helper()
	chain, err := policy.NewChain(policy.Options{Host: "h", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = chain.Close(context.Background()) })
	return chain
}

func TestIDTokenRules(t *testing.T) {
	keys := newKeys(t)
	ids := &IDTokens{Issuer: "https://auth.example.com", TTL: time.Hour, DefaultAlg: token.ES256,
		Subjects: Subjects{Format: SubjectOpaque}, Signer: keys, AtHash: token.AtHash, OnRefresh: true,
		Policy: noPlugins(t)}
	client := &store.Client{ID: "rp"}
	edClient := &store.Client{ID: "rp-ed", IDTokenSignedResponseAlg: token.EdDSA}
	issued := func(grant string, c *store.Client, scopes ...string) *oauth.IssuedTokens {
		return &oauth.IssuedTokens{GrantType: grant, Client: c, User: user, Scopes: scopes, Nonce: "n-1",
			AuthTime: t0, AccessToken: "at_example", IssuedAt: time.Now()}
	}
	tests := []struct {
		name      string
		it        *oauth.IssuedTokens
		onRefresh bool
		wantToken bool
		wantAlg   string
		wantNonce string
	}{
		{"code with openid", issued(oauth.GrantAuthorizationCode, client, "openid"), true, true, "ES256", "n-1"},
		{"code without openid", issued(oauth.GrantAuthorizationCode, client, "profile"), true, false, "", ""},
		{"refresh: no nonce (OIDC Core §12.2)", issued(oauth.GrantRefreshToken, client, "openid"), true, true, "ES256", ""},
		{"refresh with refresh_id_token off", issued(oauth.GrantRefreshToken, client, "openid"), false, false, "", ""},
		{"client's algorithm wins", issued(oauth.GrantAuthorizationCode, edClient, "openid"), true, true, "EdDSA", "n-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids.OnRefresh = tt.onRefresh
			raw, err := ids.OnTokens(context.Background(), tt.it)
			if err != nil {
				t.Fatal(err)
			}
			if (raw != "") != tt.wantToken {
				t.Fatalf("id_token %q, want one: %v", raw, tt.wantToken)
			}
			if raw == "" {
				return
			}
			var c IDTokenClaims
			tok, err := keys.Parse(context.Background(), raw, &c, jwt.WithIssuer("https://auth.example.com"),
				jwt.WithAudience(tt.it.Client.ID), jwt.WithExpirationRequired())
			if err != nil {
				t.Fatal(err)
			}
			if tok.Method.Alg() != tt.wantAlg || c.Nonce != tt.wantNonce || c.Subject != "u-1" || c.AuthTime != t0.Unix() ||
				!slices.Equal(c.AMR, []string{"pwd"}) || c.AtHash != token.AtHash(tt.wantAlg, "at_example") {
				t.Fatalf("alg %s, claims %+v", tok.Method.Alg(), c)
			}
			if d := c.ExpiresAt.Sub(c.IssuedAt.Time); d != time.Hour {
				t.Fatalf("lifetime %v", d)
			}
		})
	}
}

// TestReservedClaimsStayTheServers: claims that map_roles gave the grant and claims that the claims hook adds
// are merged into the id_token, except the names of policy.ReservedClaims: those the server sets keep its
// values, the others stay out. (A built-in claims hook is not filtered by the chain, so this is the id_token's
// own check.)
func TestReservedClaimsStayTheServers(t *testing.T) {
	keys := newKeys(t)
	chain, err := policy.NewChain(policy.Options{Host: "h", Log: slog.New(slog.DiscardHandler), Builtin: policy.Builtin{
		Claims: func(context.Context, *policy.ClaimsInput) (*policy.ClaimsOutput, error) {
			return &policy.ClaimsOutput{Claims: map[string]any{"sub": "evil", "acr": "gold", "scope": "admin", "team": "a"}}, nil
		}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = chain.Close(context.Background()) })
	ids := &IDTokens{Issuer: "https://auth.example.com", TTL: time.Hour, DefaultAlg: token.ES256,
		Subjects: Subjects{Format: SubjectOpaque}, Signer: keys, AtHash: token.AtHash, Policy: chain}
	raw, err := ids.OnTokens(context.Background(), &oauth.IssuedTokens{GrantType: oauth.GrantAuthorizationCode,
		Client: &store.Client{ID: "rp"}, User: user, Scopes: []string{"openid"}, AuthTime: t0, AccessToken: "at_x",
		IssuedAt: time.Now(), Claims: map[string]any{"iss": "https://evil.example", "client_id": "other", "dept": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	c := jwt.MapClaims{}
	if _, err := keys.Parse(context.Background(), raw, c); err != nil {
		t.Fatal(err)
	}
	_, acr := c["acr"]
	_, scope := c["scope"]
	_, clientID := c["client_id"]
	if c["sub"] != "u-1" || c["iss"] != "https://auth.example.com" || acr || scope || clientID || c["team"] != "a" ||
		c["dept"] != "x" {
		t.Fatalf("claims %v", c)
	}
}

func TestLogoutPlan(t *testing.T) {
	keys := newKeys(t)
	st := badgertest.New(t, nil)
	clients := oauth.NewClients("h", st.Clients(), oauth.ServedGrantTypes, nil)
	c, _, err := clients.Create(context.Background(), oauth.ClientSpec{ID: "rp", Name: "RP",
		RedirectURIs: []string{"https://rp.example/cb"}, PostLogoutRedirectURIs: []string{"https://rp.example/bye"}})
	if err != nil {
		t.Fatal(err)
	}
	l := &Logout{Issuer: "https://auth.example.com", Clients: clients, Keys: keys}
	sign := func(iss, aud string, exp time.Time) string {
		s, err := keys.Sign(context.Background(), token.ES256, jwt.RegisteredClaims{Issuer: iss, Subject: "u-1",
			Audience: jwt.ClaimStrings{aud}, ExpiresAt: jwt.NewNumericDate(exp)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	hint := sign("https://auth.example.com", c.ID, time.Now().Add(time.Hour))
	expired := sign("https://auth.example.com", c.ID, time.Now().Add(-24*time.Hour))
	foreign := sign("https://other.example.com", c.ID, time.Now().Add(time.Hour))
	tests := []struct {
		name     string
		r        LogoutRequest
		redirect string
		fails    bool
	}{
		{"nothing", LogoutRequest{}, "", false},
		{"hint and registered redirect", LogoutRequest{IDTokenHint: hint, PostLogoutRedirectURI: "https://rp.example/bye", State: "s"}, "https://rp.example/bye?state=s", false},
		{"expired hint is accepted", LogoutRequest{IDTokenHint: expired, PostLogoutRedirectURI: "https://rp.example/bye"}, "https://rp.example/bye", false},
		{"client_id and redirect", LogoutRequest{ClientID: "rp", PostLogoutRedirectURI: "https://rp.example/bye"}, "https://rp.example/bye", false},
		{"redirect without client", LogoutRequest{PostLogoutRedirectURI: "https://rp.example/bye"}, "", true},
		{"unregistered redirect", LogoutRequest{ClientID: "rp", PostLogoutRedirectURI: "https://evil.example/"}, "", true},
		{"hint of another issuer", LogoutRequest{IDTokenHint: foreign}, "", true},
		{"garbage hint", LogoutRequest{IDTokenHint: "not.a.jwt"}, "", true},
		{"client_id not the hint's audience", LogoutRequest{IDTokenHint: hint, ClientID: "other"}, "", true},
		{"unknown client", LogoutRequest{ClientID: "nope"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := l.Plan(context.Background(), tt.r)
			var le *LogoutError
			if tt.fails {
				if !errors.As(err, &le) {
					t.Fatalf("err = %v, want a LogoutError", err)
				}
				return
			}
			if err != nil || plan.Redirect != tt.redirect {
				t.Fatalf("plan %+v, %v; want redirect %q", plan, err, tt.redirect)
			}
		})
	}
	if sub, err := l.HintSubject(context.Background(), expired); err != nil || sub != "u-1" {
		t.Fatalf("HintSubject: %q %v", sub, err)
	}
}

// TestSubjectCollides: which client_ids could pass for a user's sub, per subject format (RFC 9700 §4.15).
func TestSubjectCollides(t *testing.T) {
	opaque, xmpp := Subjects{Format: SubjectOpaque}, Subjects{Format: SubjectXMPP, Domain: "example.com"}
	for _, tt := range []struct {
		s    Subjects
		id   string
		want bool
	}{
		{opaque, "0123456789abcdef0123456789abcdef", true},
		{opaque, "0123456789ABCDEF0123456789ABCDEF", true},
		{opaque, "0123456789abcdef0123456789abcdef01234567", false}, // a generated client_id
		{opaque, "xmpp:bot@example.com", false},
		{opaque, "dashboard", false},
		{xmpp, "xmpp:bot@example.com", true},
		{xmpp, "XMPP:bot@example.com", true},
		{xmpp, "xmpp:", true},
		{xmpp, "xmpp", false},
		{xmpp, "0123456789abcdef0123456789abcdef", false},
		{xmpp, "dashboard", false},
	} {
		if got := tt.s.Collides(tt.id); got != tt.want {
			t.Errorf("%s: Collides(%q) = %v, want %v", tt.s.Format, tt.id, got, tt.want)
		}
	}
}

// TestClientCredentialsThroughLayer: the OAuth core asks the layer, so each subject format refuses its own
// colliding client_ids at the token endpoint; and userinfo refuses a client's token, which has no user.
func TestClientCredentialsThroughLayer(t *testing.T) {
	for _, tt := range []struct {
		format        string
		refused, fine string
	}{
		{SubjectOpaque, "0123456789abcdef0123456789abcdef", "xmpp:bot@example.com"},
		{SubjectXMPP, "xmpp:bot@example.com", "0123456789abcdef0123456789abcdef"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			ctx := context.Background()
			st := badgertest.New(t, nil)
			grants := []string{oauth.GrantClientCredentials}
			clients := oauth.NewClients("h", st.Clients(), grants, nil)
			subjects := Subjects{Format: tt.format, Domain: "example.com"}
			p, err := oauth.New(oauth.Options{Host: "h", Settings: oauth.Settings{Issuer: "https://auth.example.com",
				GrantTypes: grants}, Clients: clients, Users: st.Users(), Grants: st.Grants(), Tokens: st.Tokens(),
				Codes: st.Codes(), DeviceCodes: st.DeviceCodes(), Consents: st.Consents(), Interactions: st.Interactions(),
				Scopes: oauth.NewCatalogue(nil, nil), OIDC: &Layer{Subjects: subjects}, Policy: noPlugins(t),
				ClientAuthLimits: oauth.ClientAuthLimits{PerClientIP: ratelimit.New(100, time.Second, nil),
					PerIP: ratelimit.New(100, time.Second, nil)}})
			if err != nil {
				t.Fatal(err)
			}
			token := func(id string) (*oauth.TokenResponse, *oauth.Error) {
				_, secret, err := clients.Create(ctx, oauth.ClientSpec{ID: id, Name: id, GrantTypes: grants,
					AuthMethod: oauth.AuthClientSecretPost})
				if err != nil {
					t.Fatal(err)
				}
				return p.Token(ctx, &oauth.TokenRequest{Params: oauth.Params{"grant_type": oauth.GrantClientCredentials},
					Client: oauth.ClientCredentials{ID: id, Secret: secret}})
			}
			if _, err := token(tt.refused); err == nil || err.Code != oauth.CodeUnauthorizedClient {
				t.Fatalf("%s: %v, want unauthorized_client", tt.refused, err)
			}
			resp, oerr := token(tt.fine)
			if oerr != nil {
				t.Fatalf("%s: %v", tt.fine, oerr)
			}
			ui := &UserInfo{Host: "h", Tokens: st.Tokens(), Users: st.Users(), Clients: clients, Subjects: subjects}
			if _, berr := ui.Claims(ctx, resp.AccessToken); berr == nil || berr.Status != 401 || berr.Code != "invalid_token" {
				t.Fatalf("userinfo with a client's token: %+v", berr)
			}
		})
	}
}
