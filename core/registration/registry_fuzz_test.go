package registration

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// fuzzRules enable every grant and response type, so that every combination of the metadata is reachable.
var fuzzRules = Rules{
	GrantTypes: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantClientCredentials,
		oauth.GrantDeviceCode, oauth.GrantImplicit, oauth.GrantPassword},
	ResponseTypes: []string{oauth.ResponseTypeCode, oauth.ResponseTypeToken},
	IDTokenAlgs:   oauth.IDTokenAlgorithms,
}

// prosodyIDs is testdata/prosody-clients.json: client_ids made by mod_http_oauth2's algorithm, with their key.
type prosodyIDs struct {
	Key        string `json:"key"`
	LegacyHost string `json:"legacy_host"`
	Clients    map[string]struct {
		ClientID string `json:"client_id"`
	} `json:"clients"`
}

// newFuzzRegistry is the Registry of a host with the key of the Prosody fixture (so its ids verify as legacy
// ids), every grant enabled, the built-in registration policy, and a real Badger revocation list.
func newFuzzRegistry(f *testing.F) (*Registry, *prosodyIDs) {
	b, err := os.ReadFile("testdata/prosody-clients.json")
	if err != nil {
		f.Fatal(err)
	}
	var fx prosodyIDs
	if err := json.Unmarshal(b, &fx); err != nil {
		f.Fatal(err)
	}
	chain, err := policy.NewChain(policy.Options{Host: "test", Log: slog.New(slog.DiscardHandler),
		Builtin: policy.Builtin{ValidateRegistration: BuiltinPolicy}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = chain.Close(context.Background()) })
	r, err := New(Options{Host: "test", Issuer: "https://auth.example.net", Key: fx.Key, LegacyHost: fx.LegacyHost,
		Rules: fuzzRules, Policy: chain, Revoked: badgertest.New(f, nil).RevokedClients()})
	if err != nil {
		f.Fatal(err)
	}
	return r, &fx
}

// registrationSeeds are realistic and nasty registration bodies.
var registrationSeeds = []string{
	`{"client_name":"My Application","client_uri":"https://app.example.com/","redirect_uris":["https://app.example.com/redirect"]}`,
	`{"client_name":"CLI","client_uri":"https://cli.example.com","redirect_uris":["http://127.0.0.1:8080/cb","com.example.cli:/cb"],
	  "token_endpoint_auth_method":"none","scope":"openid  offline_access openid xmpp","contacts":["ops@example.com"]}`,
	`{"client_name":"TV","client_uri":"https://tv.example.com","grant_types":["urn:ietf:params:oauth:grant-type:device_code","refresh_token"],
	  "token_endpoint_auth_method":"none","software_id":"tv","software_version":"1.0"}`,
	`{"client_name":"OOB","client_uri":"https://oob.example.com","redirect_uris":["urn:ietf:wg:oauth:2.0:oob"],"application_type":"native"}`,
	`{"client_name":"Implicit","client_uri":"https://spa.example.com","redirect_uris":["https://spa.example.com/cb"],
	  "grant_types":["implicit"],"response_types":["token"],"logo_uri":"https://spa.example.com/logo.png",
	  "tos_uri":"https://spa.example.com/tos","policy_uri":"https://spa.example.com/privacy","id_token_signed_response_alg":"ES256"}`,
	`{"client_name":"Svc","client_uri":"https://svc.example.com","grant_types":["client_credentials"],"response_types":[],
	  "token_endpoint_auth_method":"client_secret_post","post_logout_redirect_uris":["https://svc.example.com/bye"]}`,
	`{"client_name":"x","client_uri":"https://a@b.example.com","redirect_uris":["https://b.example.com/#f"]}`,
	`{"client_name":"\u0000","client_uri":"https://APP.example.com","redirect_uris":["javascript:alert(1)"]}`,
	`{"client_name":"x","client_uri":"https://xn--caf-dma.example","redirect_uris":["https://xn--caf-dma.example:0/cb"]}`,
	`{"client_name":"x","client_uri":"https://127.0.0.1","redirect_uris":["https://127.0.0.1/cb"],"scope":"a\"b"}`,
	`{"client_name":["x"]}`, `{"redirect_uris":"https://a.example/"}`, `[]`, `{`, `{"client_name":"x"}{}`, ` {} `,
	`{"client_name":"x","grant_types":[],"response_types":null}`, `{"client_name":"x","grant_types":["password"]}`,
}

// FuzzRegistration sends registration bodies to Registry.Register. A refusal is an *oauth.Error, 400
// invalid_client_metadata or invalid_redirect_uri, with a description that is safe to send. What is accepted is
// idempotent: the registered metadata, sent again as a registration, is accepted again unchanged (as is the
// host's own Normalize of it), and the client its client_id stands for carries exactly that metadata, with the
// secret the registration returned.
func FuzzRegistration(f *testing.F) {
	for _, s := range registrationSeeds {
		f.Add([]byte(s))
	}
	r, _ := newFuzzRegistry(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := r.Register(ctx, body)
		if err != nil {
			wantRefusal(t, err)
			return
		}
		first := jsonOf(t, resp.Metadata)
		again, err := r.Register(ctx, []byte(first))
		if err != nil {
			t.Fatalf("%s was registered as %s, which is refused: %v", body, first, err)
		}
		if second := jsonOf(t, again.Metadata); second != first {
			t.Fatalf("%s registered as %s, then as %s", body, first, second)
		}
		if m, err := fuzzRules.Normalize(&resp.Metadata); err != nil || jsonOf(t, m) != first {
			t.Fatalf("Normalize(%s) = %v, %v", first, m, err)
		}
		if err := DefaultRules(&resp.Metadata); err != nil {
			t.Fatalf("%s breaks the default rules: %v", first, err)
		}
		c, err := r.Get(ctx, resp.ClientID)
		if err != nil {
			t.Fatalf("the client_id of %s: %v", first, err)
		}
		m := resp.Metadata
		if c.ID != resp.ClientID || c.Name != m.ClientName || c.ClientURI != m.ClientURI ||
			!slices.Equal(c.RedirectURIs, m.RedirectURIs) || !slices.Equal(c.PostLogoutRedirectURIs, m.PostLogoutRedirectURIs) ||
			c.TokenEndpointAuthMethod != m.TokenEndpointAuthMethod || oauth.JoinScope(c.Scopes) != m.Scope ||
			c.IDTokenSignedResponseAlg != m.IDTokenSignedResponseAlg || c.Legacy || !c.Untrusted {
			t.Fatalf("the client_id of %s stands for %+v", first, c)
		}
		if (m.TokenEndpointAuthMethod == oauth.AuthNone) != (resp.ClientSecret == "") ||
			resp.ClientSecret != "" && c.SecretHash != oauth.Digest(resp.ClientSecret) {
			t.Fatalf("%s: secret %q does not match the client's", first, resp.ClientSecret)
		}
	})
}

// FuzzClientID looks up client_ids: any string, and a valid id (a fresh one or one made by mod_http_oauth2)
// with one byte replaced. A lookup fails with oauth.ErrClientNotFound or returns the client of an id whose
// HMAC-SHA256 signature, recomputed here, is the key's, with the header's alg HS256. A mutated id that still
// verifies decodes to the same header, payload and signature bytes as the original: the only bytes that may
// change are the unused low bits of a segment's last base64url character. The client of a verified id is
// untrusted, has grants and a known authentication method, is legacy exactly when the id has no iss, and a
// non-legacy one's metadata passes the registration rules unchanged.
func FuzzClientID(f *testing.F) {
	r, fx := newFuzzRegistry(f)
	ctx := context.Background()
	var valid []string
	for _, body := range registrationSeeds[:6] {
		resp, err := r.Register(ctx, []byte(body))
		if err != nil {
			f.Fatalf("seed %s: %v", body, err)
		}
		valid = append(valid, resp.ClientID)
	}
	for _, name := range []string{"native_oob", "native_post", "web_basic"} {
		valid = append(valid, fx.Clients[name].ClientID)
	}
	for i, id := range valid {
		if !checkLookup(f, r, []byte(fx.Key), id) {
			f.Fatalf("the valid client_id %q is refused", id)
		}
		f.Add(id, uint(i), byte('A'))
		f.Add(id, uint(i+len(valid)*(len(id)-1)), byte('B')) // the signature's last character
		f.Add(id, uint(i+len(valid)*strings.IndexByte(id, '.')), byte('x'))
	}
	f.Add("eyJhbGciOiJub25lIn0.eyJjbGllbnRfbmFtZSI6IngifQ.", uint(0), byte(0))
	f.Add("eyJhbGciOiJIUzI1NiJ9..", uint(1), byte('.'))
	f.Add("web", uint(2), byte(0xff))
	f.Fuzz(func(t *testing.T, id string, pos uint, b byte) {
		checkLookup(t, r, []byte(fx.Key), id)
		orig := valid[pos%uint(len(valid))]
		i := int(pos / uint(len(valid)) % uint(len(orig)))
		if orig[i] == b {
			return
		}
		mutated := orig[:i] + string([]byte{b}) + orig[i+1:]
		if checkLookup(t, r, []byte(fx.Key), mutated) && !sameSegments(orig, mutated) {
			t.Fatalf("%q verifies with byte %d changed to %q, and decodes differently", orig, i, b)
		}
	})
}

// checkLookup looks id up and checks what it got (FuzzClientID); it reports whether the id verified.
func checkLookup(t testing.TB, r *Registry, key []byte, id string) bool {
	t.Helper()
	c, err := r.Get(context.Background(), id)
	if err != nil {
		if !errors.Is(err, oauth.ErrClientNotFound) {
			t.Fatalf("Get(%q): %v, want oauth.ErrClientNotFound", id, err)
		}
		return false
	}
	seg := strings.Split(id, ".")
	header, err1 := base64.RawURLEncoding.DecodeString(seg[0])
	payload, err2 := base64.RawURLEncoding.DecodeString(seg[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(seg[2])
	var h struct{ Alg string }
	var p struct{ Iss string }
	if err := errors.Join(err1, err2, err3, json.Unmarshal(header, &h), json.Unmarshal(payload, &p)); err != nil {
		t.Fatalf("Get(%q) verified an id that does not decode: %v", id, err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(seg[0] + "." + seg[1]))
	if h.Alg != "HS256" || !hmac.Equal(mac.Sum(nil), sig) {
		t.Fatalf("Get(%q) verified an id not signed with the key (alg %q)", id, h.Alg)
	}
	if c.ID != id || !c.Untrusted || len(c.GrantTypes) == 0 || c.Legacy != (p.Iss == "") ||
		!slices.Contains([]string{oauth.AuthNone, oauth.AuthClientSecretBasic, oauth.AuthClientSecretPost}, c.TokenEndpointAuthMethod) {
		t.Fatalf("Get(%q) = %+v", id, c)
	}
	if !c.Legacy {
		cl, err := r.codec.parse(id, true)
		if err != nil {
			t.Fatalf("Get accepted %q, parse refuses it: %v", id, err)
		}
		m, err := fuzzRules.Normalize(&cl.Metadata)
		if err != nil || jsonOf(t, m) != jsonOf(t, cl.Metadata) || DefaultRules(m) != nil {
			t.Fatalf("%q carries metadata %s that the rules change or refuse: %v", id, jsonOf(t, cl.Metadata), err)
		}
	}
	return true
}

// sameSegments reports whether two JWTs decode to the same bytes, segment by segment.
func sameSegments(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		x, err1 := base64.RawURLEncoding.DecodeString(as[i])
		y, err2 := base64.RawURLEncoding.DecodeString(bs[i])
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			return false
		}
	}
	return true
}

// wantRefusal checks a refused registration: 400 invalid_client_metadata or invalid_redirect_uri, with a
// description an error response may carry.
func wantRefusal(t *testing.T, err error) {
	t.Helper()
	var e *oauth.Error
	if !errors.As(err, &e) || e.Status != 400 ||
		e.Code != oauth.CodeInvalidClientMetadata && e.Code != oauth.CodeInvalidRedirectURI {
		t.Fatalf("refused with %T %v, want 400 invalid_client_metadata or invalid_redirect_uri", err, err)
	}
	if e.Description == "" || oauth.CleanDescription(e.Description) != e.Description {
		t.Fatalf("description %q is not safe to send", e.Description)
	}
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
