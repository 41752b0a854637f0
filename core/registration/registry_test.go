package registration_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/golang-jwt/jwt/v5"
)

const (
	testIssuer = "https://auth.example.net"
	testKey    = "0123456789abcdef0123456789abcdef"
)

var testRules = registration.Rules{GrantTypes: oauth.ServedGrantTypes, ResponseTypes: []string{oauth.ResponseTypeCode}}

// newRegistry returns a registry on a real Badger store with the chain of a host without plugins; edit adjusts
// the options.
func newRegistry(t *testing.T, st store.Store, edit func(*registration.Options)) *registration.Registry {
	t.Helper()
	if st == nil {
		st = badgertest.New(t, nil)
	}
	o := registration.Options{Host: "test", Issuer: testIssuer, Key: testKey, LegacyHost: "auth.example.net",
		Rules: testRules, Revoked: st.RevokedClients(), Policy: registrationChain(t, true)}
	if edit != nil {
		edit(&o)
	}
	r, err := registration.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func register(t *testing.T, r *registration.Registry, metadata string) *registration.Response {
	t.Helper()
	resp, err := r.Register(context.Background(), []byte(metadata))
	if err != nil {
		t.Fatalf("Register(%s): %v", metadata, err)
	}
	return resp
}

const webClient = `{"client_name":"My Application","client_uri":"https://app.example.com/",
	"redirect_uris":["https://app.example.com/redirect"]}`

// prosodyFixture is testdata/prosody-clients.json, made by make_prosody_clients.py.
type prosodyFixture struct {
	Key        string `json:"key"`
	LegacyHost string `json:"legacy_host"`
	IssuedAt   int64  `json:"issued_at"`
	Clients    map[string]struct {
		Payload      string `json:"payload"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	} `json:"clients"`
}

func loadFixture(t *testing.T) *prosodyFixture {
	t.Helper()
	b, err := os.ReadFile("testdata/prosody-clients.json")
	if err != nil {
		t.Fatal(err)
	}
	var f prosodyFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// TestProsodyFixture: client_ids and secrets made by mod_http_oauth2's published algorithm (an independent
// implementation in testdata/make_prosody_clients.py) verify here with the same key and host, although they
// carry no iss and their exp (iat + 3600) passed long ago.
func TestProsodyFixture(t *testing.T) {
	f := loadFixture(t)
	if issued := time.Unix(f.IssuedAt, 0); time.Since(issued) < time.Hour {
		t.Fatalf("the fixture must be issued more than an hour before the test runs, not at %s", issued)
	}
	// The fixture follows the published algorithm: recompute it here from the payload, by hand.
	for name, c := range f.Clients {
		b64 := base64.RawURLEncoding.EncodeToString
		signed := b64([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + b64([]byte(c.Payload))
		mac := hmac.New(sha256.New, []byte(f.Key))
		mac.Write([]byte(signed))
		if want := signed + "." + b64(mac.Sum(nil)); c.ClientID != want {
			t.Errorf("%s: the fixture's client_id is not the published algorithm's", name)
		}
		host := hmac.New(sha256.New, []byte(f.Key))
		host.Write([]byte(f.LegacyHost))
		sec := hmac.New(sha256.New, host.Sum(nil))
		sec.Write([]byte(c.ClientID))
		if want := hex.EncodeToString(sec.Sum(nil)); c.ClientSecret != want {
			t.Errorf("%s: the fixture's client_secret is not the published derivation", name)
		}
	}

	r := newRegistry(t, nil, func(o *registration.Options) { o.Key, o.LegacyHost = f.Key, f.LegacyHost })
	ctx := context.Background()
	web, err := r.Get(ctx, f.Clients["web_basic"].ClientID)
	if err != nil {
		t.Fatalf("Prosody's web client: %v", err)
	}
	want := &store.Client{ID: f.Clients["web_basic"].ClientID, Host: "test", Name: "My Application",
		ClientURI: "https://app.example.com/", RedirectURIs: []string{"https://app.example.com/redirect"},
		GrantTypes: []string{"authorization_code"}, TokenEndpointAuthMethod: "client_secret_basic", Untrusted: true,
		SecretHash: oauth.Digest(f.Clients["web_basic"].ClientSecret),
		CreatedAt:  time.Unix(f.IssuedAt, 0).UTC(), UpdatedAt: time.Unix(f.IssuedAt, 0).UTC()}
	if !jsonEqual(t, web, want) {
		t.Errorf("Prosody's web client:\n got %+v\nwant %+v", web, want)
	}
	native, err := r.Get(ctx, f.Clients["native_post"].ClientID)
	if err != nil {
		t.Fatalf("Prosody's native client: %v", err)
	}
	if native.Name != "Desktop Chat Äpp" || native.TokenEndpointAuthMethod != oauth.AuthClientSecretPost ||
		!slices.Equal(native.Scopes, []string{"xmpp", "openid", "offline_access"}) ||
		!slices.Equal(native.GrantTypes, []string{"authorization_code", "refresh_token"}) ||
		native.TOSURI != "https://app.example.org/about/terms" || native.PolicyURI != "https://app.example.org/about/privacy" ||
		!oauth.CheckClientSecret(native.SecretHash, f.Clients["native_post"].ClientSecret) {
		t.Errorf("Prosody's native client: %+v", native)
	}

	// The same ids fail with another key, and their secret does not derive from another host name.
	other := newRegistry(t, nil, func(o *registration.Options) { o.LegacyHost = f.LegacyHost })
	if _, err := other.Get(ctx, f.Clients["web_basic"].ClientID); !errors.Is(err, oauth.ErrClientNotFound) {
		t.Errorf("another key: %v, want ErrClientNotFound", err)
	}
	moved := newRegistry(t, nil, func(o *registration.Options) { o.Key = f.Key })
	c, err := moved.Get(ctx, f.Clients["web_basic"].ClientID)
	if err != nil || oauth.CheckClientSecret(c.SecretHash, f.Clients["web_basic"].ClientSecret) {
		t.Errorf("another legacy host: the Prosody secret still works (%v)", err)
	}
	// With registration.ttl set, exp is enforced: Prosody's ids expired an hour after they were issued.
	ttl := newRegistry(t, nil, func(o *registration.Options) { o.Key, o.LegacyHost, o.TTL = f.Key, f.LegacyHost, 24*time.Hour })
	if _, err := ttl.Get(ctx, f.Clients["web_basic"].ClientID); !errors.Is(err, registration.ErrNotRegistered) {
		t.Errorf("with a TTL: %v, want expired", err)
	}
}

// jsonEqual compares two values by their JSON.
func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// claimsOf decodes the payload of a client_id without verifying it.
func claimsOf(t *testing.T, id string) map[string]any {
	t.Helper()
	parts := strings.Split(id, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRegisterAndGet: a registered client_id carries the metadata, a nonce, iss, iat and exp; it comes back as
// an untrusted client whose secret is the derived one; each registration is unique.
func TestRegisterAndGet(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	r := newRegistry(t, nil, func(o *registration.Options) { o.Now = clock.Now })
	resp := register(t, r, webClient)
	if resp.ClientIDIssuedAt != clock.Now().Unix() || resp.ClientSecretExpiresAt == nil || *resp.ClientSecretExpiresAt != 0 ||
		len(resp.ClientSecret) != 64 {
		t.Errorf("response: %+v", resp)
	}
	cl := claimsOf(t, resp.ClientID)
	if cl["iss"] != testIssuer || cl["iat"] != float64(clock.Now().Unix()) ||
		cl["exp"] != float64(clock.Now().Add(time.Hour).Unix()) || len(cl["nonce"].(string)) != 12 ||
		cl["client_name"] != "My Application" || cl["application_type"] != "web" {
		t.Errorf("claims: %v", cl)
	}
	c, err := r.Get(context.Background(), resp.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Untrusted || c.ID != resp.ClientID || !oauth.CheckClientSecret(c.SecretHash, resp.ClientSecret) ||
		c.TokenEndpointAuthMethod != oauth.AuthClientSecretBasic || !slices.Equal(c.RedirectURIs, resp.RedirectURIs) {
		t.Errorf("client: %+v", c)
	}
	// The exp of an id made without a TTL (Prosody's iat + 3600) is not enforced.
	clock.Advance(365 * 24 * time.Hour)
	if _, err := r.Get(context.Background(), resp.ClientID); err != nil {
		t.Errorf("a year later, without registration.ttl: %v", err)
	}
	if again := register(t, r, webClient); again.ClientID == resp.ClientID || again.ClientSecret == resp.ClientSecret {
		t.Error("two registrations of the same metadata got the same credentials")
	}
	public := register(t, r, `{"client_name":"CLI","client_uri":"https://cli.example.org/","token_endpoint_auth_method":"none",
		"redirect_uris":["http://127.0.0.1/cb"],"dpop_bound_access_tokens":true}`)
	if !public.DPoPBoundAccessTokens {
		t.Errorf("dpop_bound_access_tokens is not in the response: %+v", public)
	}
	if public.ClientSecret != "" || public.ClientSecretExpiresAt != nil {
		t.Errorf("a public client got a secret: %+v", public)
	}
	pc, err := r.Get(context.Background(), public.ClientID)
	if err != nil || pc.SecretHash != "" || pc.TokenEndpointAuthMethod != oauth.AuthNone || !pc.DPoPBoundAccessTokens {
		t.Errorf("public client: %+v, %v", pc, err)
	}
}

// TestTTL: with registration.ttl, exp = iat + ttl is enforced against the injected clock and the secret expires
// with it.
func TestTTL(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	r := newRegistry(t, nil, func(o *registration.Options) { o.Now, o.TTL = clock.Now, 48*time.Hour })
	resp := register(t, r, webClient)
	if want := clock.Now().Add(48 * time.Hour).Unix(); *resp.ClientSecretExpiresAt != want || claimsOf(t, resp.ClientID)["exp"] != float64(want) {
		t.Errorf("client_secret_expires_at %d, exp %v, want %d", *resp.ClientSecretExpiresAt, claimsOf(t, resp.ClientID)["exp"], want)
	}
	clock.Advance(48*time.Hour - time.Second)
	if _, err := r.Get(context.Background(), resp.ClientID); err != nil {
		t.Fatalf("a second before exp: %v", err)
	}
	clock.Advance(time.Second)
	if _, err := r.Get(context.Background(), resp.ClientID); !errors.Is(err, oauth.ErrClientNotFound) || !errors.Is(err, registration.ErrNotRegistered) {
		t.Fatalf("at exp: %v, want expired", err)
	}
	// An expired id can still be banned (the operator may revoke what it already got).
	if _, _, err := r.Revoke(context.Background(), resp.ClientID, ""); err != nil {
		t.Errorf("revoking an expired id: %v", err)
	}
}

// TestRefusedIDs: only ids signed with this host's key and algorithm, and issued by this host when they say,
// are clients.
func TestRefusedIDs(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, nil, nil)
	id := register(t, r, webClient).ClientID
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := jwt.MapClaims{"client_name": "X", "client_uri": "https://x.example/", "redirect_uris": []string{"https://x.example/cb"}}
	tampered := []byte(id)
	tampered[len(tampered)-5] ^= 1
	parts := strings.Split(id, ".")
	tests := []struct {
		name string
		id   string
	}{
		{"bad signature", string(tampered)},
		{"payload swapped", parts[0] + "." + strings.Split(sign(jwt.SigningMethodHS256, []byte(testKey), base), ".")[1] + "." + parts[2]},
		{"another host's id (iss)", newRegistryID(t, func(o *registration.Options) { o.Issuer = "https://other.example.net" })},
		{"another key", newRegistryID(t, func(o *registration.Options) { o.Key = "another key, another server......" })},
		{"another algorithm", sign(jwt.SigningMethodHS512, []byte(testKey), base)},
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base)},
		{"not a JWT", "my-static-client"},
		{"too long", "eyJ" + strings.Repeat("a", 20000) + ".e.e"},
		{"empty", ""},
	}
	for _, tt := range tests {
		if _, err := r.Get(ctx, tt.id); !errors.Is(err, oauth.ErrClientNotFound) || !errors.Is(err, registration.ErrNotRegistered) {
			t.Errorf("%s: %v, want ErrClientNotFound and ErrNotRegistered", tt.name, err)
		}
	}
	// A legacy id (no iss) signed with the key is accepted: how Prosody's ids look.
	legacy := sign(jwt.SigningMethodHS256, []byte(testKey), base)
	if _, err := r.Get(ctx, legacy); err != nil {
		t.Errorf("legacy id without iss: %v", err)
	}
}

// newRegistryID registers a web client with a registry built with edit and returns its client_id.
func newRegistryID(t *testing.T, edit func(*registration.Options)) string {
	return register(t, newRegistry(t, nil, edit), webClient).ClientID
}

// eventLog records the events a registry emits.
type eventLog struct{ got []events.Event }

func (l *eventLog) Emit(_ context.Context, e *events.Event) { l.got = append(l.got, *e) }

// TestRevoke: a ban stops the client at once, survives for good, lists, and refuses ids of other keys. It is
// audited once (client.revoked); a second ban that still revokes grants made since is a token.revoked.
func TestRevoke(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	log := &eventLog{}
	r := newRegistry(t, st, func(o *registration.Options) { o.Events = &events.Emitter{Sink: log} })
	resp := register(t, r, webClient)
	other := register(t, r, webClient)
	now := time.Now()
	g := &store.Grant{ID: "g1", Host: "test", UserID: "u1", ClientID: resp.ClientID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.Grants().Create(ctx, g); err != nil {
		t.Fatal(err)
	}
	ban, n, err := r.Revoke(ctx, resp.ClientID, "spam")
	if err != nil || n != 1 || ban.ClientName != "My Application" || ban.Reason != "spam" || ban.ID != oauth.Digest(resp.ClientID) {
		t.Fatalf("Revoke: %+v, %d, %v", ban, n, err)
	}
	if _, err := r.Get(ctx, resp.ClientID); !errors.Is(err, registration.ErrRevoked) || !errors.Is(err, oauth.ErrClientNotFound) {
		t.Errorf("Get of a revoked client: %v", err)
	}
	if gr, _ := st.Grants().Get(ctx, "test", "g1"); !gr.Revoked {
		t.Error("the banned client's grant is live")
	}
	if _, err := r.Get(ctx, other.ClientID); err != nil {
		t.Errorf("another registration of the same metadata: %v", err)
	}
	again, n, err := r.Revoke(ctx, resp.ClientID, "second thoughts")
	if err != nil || n != 0 || again.Reason != "spam" {
		t.Errorf("revoking again: %+v, %d, %v", again, n, err)
	}
	// A grant made after the ban (a token request already past its client check): the next ban revokes it.
	g2 := &store.Grant{ID: "g2", Host: "test", UserID: "u1", ClientID: resp.ClientID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.Grants().Create(ctx, g2); err != nil {
		t.Fatal(err)
	}
	if _, n, err := r.Revoke(ctx, resp.ClientID, "third"); err != nil || n != 1 {
		t.Errorf("revoking a third time, with a new grant: %d, %v", n, err)
	}
	var kinds []string
	for _, e := range log.got {
		if e.Kind == events.ClientRevoked || e.Kind == events.TokenRevoked {
			kinds = append(kinds, string(e.Kind)+":"+e.Reason+":"+e.Detail)
		}
	}
	if want := []string{"client.revoked:banned:spam", "token.revoked:banned:"}; !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}
	bans, err := r.Revoked(ctx)
	if err != nil || len(bans) != 1 || bans[0].ID != ban.ID {
		t.Errorf("Revoked: %+v, %v", bans, err)
	}
	if _, _, err := r.Revoke(ctx, newRegistryID(t, func(o *registration.Options) { o.Key = "another key, another server......" }), ""); !errors.Is(err, registration.ErrNotRegistered) {
		t.Errorf("revoking another server's id: %v", err)
	}
}

// TestSource: static clients come first; registered ids are tried only when registration is on.
func TestSource(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	static := oauth.NewClients("test", st.Clients(), oauth.ServedGrantTypes, nil)
	if _, _, err := static.Create(ctx, oauth.ClientSpec{ID: "dashboard", Name: "Dashboard", RedirectURIs: []string{"https://d.example/cb"}}); err != nil {
		t.Fatal(err)
	}
	r := newRegistry(t, st, nil)
	id := register(t, r, webClient).ClientID
	on, off := registration.Sources(static, r), registration.Sources(static, nil)
	if c, err := on.Get(ctx, "dashboard"); err != nil || c.Untrusted {
		t.Errorf("static client through the source: %+v, %v", c, err)
	}
	if c, err := on.Get(ctx, id); err != nil || !c.Untrusted {
		t.Errorf("registered client through the source: %+v, %v", c, err)
	}
	if _, err := on.Get(ctx, "unknown"); !errors.Is(err, oauth.ErrClientNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := off.Get(ctx, id); !errors.Is(err, oauth.ErrClientNotFound) {
		t.Errorf("registered id with registration off: %v", err)
	}
}

// TestInitialAccessToken: constant-time check of the configured token; open registration takes anything.
func TestInitialAccessToken(t *testing.T) {
	open := newRegistry(t, nil, nil)
	closed := newRegistry(t, nil, func(o *registration.Options) { o.InitialAccessToken = "s3cret-token" })
	tests := []struct {
		name  string
		r     *registration.Registry
		token string
		want  bool
	}{
		{"open, none", open, "", true},
		{"open, any", open, "whatever", true},
		{"closed, none", closed, "", false},
		{"closed, wrong", closed, "s3cret-tokem", false},
		{"closed, prefix", closed, "s3cret", false},
		{"closed, right", closed, "s3cret-token", true},
	}
	for _, tt := range tests {
		if got := tt.r.AcceptsInitialAccessToken(tt.token); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if !open.Open() || closed.Open() {
		t.Error("Open")
	}
}

// TestNew refuses incomplete options.
func TestNew(t *testing.T) {
	st := badgertest.New(t, nil)
	tests := []struct {
		name string
		edit func(*registration.Options)
	}{
		{"no key", func(o *registration.Options) { o.Key = "" }},
		{"RS256", func(o *registration.Options) { o.Algorithm = "RS256" }},
		{"no issuer", func(o *registration.Options) { o.Issuer = "" }},
		{"no legacy host", func(o *registration.Options) { o.LegacyHost = "" }},
		{"no revocation list", func(o *registration.Options) { o.Revoked = nil }},
		{"no policy chain", func(o *registration.Options) { o.Policy = nil }},
	}
	for _, tt := range tests {
		o := registration.Options{Host: "test", Issuer: testIssuer, Key: testKey, LegacyHost: "h", Revoked: st.RevokedClients(),
			Policy: registrationChain(t, true)}
		tt.edit(&o)
		if _, err := registration.New(o); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
	for _, alg := range []string{"", "HS256", "HS384", "HS512"} {
		r := newRegistry(t, st, func(o *registration.Options) { o.Algorithm = alg })
		id := register(t, r, webClient).ClientID
		if _, err := r.Get(context.Background(), id); err != nil {
			t.Errorf("%q: %v", alg, err)
		}
	}
}

// TestSchema: the schema served at GET /oauth2/register is JSON Schema with the host's enums.
func TestSchema(t *testing.T) {
	var s struct {
		Schema     string                    `json:"$schema"`
		Required   []string                  `json:"required"`
		Properties map[string]map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(newRegistry(t, nil, nil).Schema(), &s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Schema, "json-schema.org") || !slices.Equal(s.Required, []string{"client_name", "client_uri"}) {
		t.Errorf("schema: %+v", s)
	}
	for _, f := range []string{"client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri", "contacts", "redirect_uris",
		"post_logout_redirect_uris", "application_type", "grant_types", "response_types", "token_endpoint_auth_method",
		"scope", "software_id", "software_version", "id_token_signed_response_alg"} {
		if _, ok := s.Properties[f]; !ok {
			t.Errorf("schema has no %s", f)
		}
	}
	items := s.Properties["grant_types"]["items"].(map[string]any)
	if got := items["enum"].([]any); len(got) != len(oauth.ServedGrantTypes) {
		t.Errorf("grant_types enum %v, want the host's %v", got, oauth.ServedGrantTypes)
	}
}

// TestSchemaWithoutPassword: the schema offers what a client may register for, which is never password, even on
// a host that serves it (Rules.Normalize refuses it); client_credentials is offered where the host serves it.
func TestSchemaWithoutPassword(t *testing.T) {
	grants := []string{oauth.GrantAuthorizationCode, oauth.GrantClientCredentials, oauth.GrantPassword}
	r := newRegistry(t, nil, func(o *registration.Options) { o.Rules.GrantTypes = grants })
	var s struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(r.Schema(), &s); err != nil {
		t.Fatal(err)
	}
	got := s.Properties["grant_types"]["items"].(map[string]any)["enum"].([]any)
	if len(got) != 2 || got[0] != oauth.GrantAuthorizationCode || got[1] != oauth.GrantClientCredentials {
		t.Errorf("grant_types enum %v, want authorization_code and client_credentials", got)
	}
	if !slices.Equal(grants, []string{oauth.GrantAuthorizationCode, oauth.GrantClientCredentials, oauth.GrantPassword}) {
		t.Errorf("the host's grant types were changed: %v", grants)
	}
}

// TestTypicalClientIDSizes measures the client_ids of the README's two registration examples on an issuer of a
// usual length (the sizes the README quotes).
func TestTypicalClientIDSizes(t *testing.T) {
	r := newRegistry(t, nil, nil)
	web := register(t, r, webClient).ClientID
	native := register(t, r, `{"application_type":"native","client_name":"Desktop Chat App","client_uri":"https://app.example.org/",
	"contacts":["support@example.org"],"policy_uri":"https://app.example.org/about/privacy",
	"redirect_uris":["http://localhost:8080/redirect","org.example.app:/redirect"],"scope":"xmpp openid offline_access",
	"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none",
	"software_id":"32a0a8f3-4016-5478-905a-c373156eca73","software_version":"3.4.1","tos_uri":"https://app.example.org/about/terms"}`).ClientID
	for _, id := range []string{web, native} {
		if len(id) > registration.MaxClientIDLen/2 {
			t.Errorf("a typical client_id is %d bytes", len(id))
		}
	}
	t.Logf("typical client_id (issuer %s): web %d bytes, native %d bytes", testIssuer, len(web), len(native))
}
