package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/assentry/assentry/oauthbearer"
)

// The resources of the test's Assentry (testConfig), both with access_token_format jwt.
const (
	imapResource = "imap://mail.example.net"
	smtpResource = "smtp://mail.example.net"
)

// resourceToken gets alice a token for client and resource with the password grant. x/oauth2's
// PasswordCredentialsToken takes no extra parameter, so the request is made by clientcredentials.Config, whose
// EndpointParams may replace grant_type and add the RFC 8707 resource.
func (a *assentry) resourceToken(t *testing.T, clientID, secret, resource string, scopes ...string) *oauth2.Token {
	t.Helper()
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: a.issuer + "/oauth2/token",
		Scopes: scopes, AuthStyle: oauth2.AuthStyleInHeader, EndpointParams: url.Values{"grant_type": {"password"},
			"username": {"alice"}, "password": {alicePassword}, "resource": {resource}}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatalf("password grant for %s, resource %s: %v", clientID, resource, err)
	}
	return tok
}

// jwtParts decodes a JWT's header and claims, without verifying it (the example server does that).
func jwtParts(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS compact serialization: %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

// introspect asks Assentry about token as imap-server (RFC 7662).
func (a *assentry) introspect(t *testing.T, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.issuer+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("imap-server", imapSecret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("introspection: %s %v", res.Status, err)
	}
	return out
}

// jwksKids lists the kids of Assentry's JWKS now.
func (a *assentry) jwksKids(t *testing.T) []string {
	t.Helper()
	res, err := http.Get(a.issuer + "/oauth2/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

// TestEndToEndJWT: the example server in JWT mode (-jwt-audience imap://mail.example.net) takes the RFC 9068 JWT
// access tokens a real `assentry serve` issues for that resource, checked locally with the issuer's JWKS, and
// refuses a token for another resource, an opaque token, a tampered JWT and a client's own JWT. A revoked JWT
// still signs in there until its exp while an introspecting server refuses it (the documented trade-off), and a
// key rotation at Assentry is followed through the JWKS (a kid the verifier does not know fetches it again).
func TestEndToEndJWT(t *testing.T) {
	a := startAssentry(t)
	cj, ci := &clock{}, &clock{}
	addr, logs := startServer(t, serverOptions{Issuer: a.issuer, JWTAudience: imapResource, Scopes: []string{"mail"}, Now: cj.Now})
	kidsAtStart := a.jwksKids(t) // what the verifier fetched at its start: no key has rotated since
	// An introspecting server for the same resource, to compare with.
	intro, introLogs := startServer(t, serverOptions{Issuer: a.issuer, ClientID: "imap-server", ClientSecret: imapSecret,
		Scopes: []string{"mail"}, Audiences: []string{imapResource}, CacheTTL: time.Minute, Now: ci.Now})
	defer func() {
		if t.Failed() {
			t.Logf("the JWT server's log:\n%s\nthe introspecting server's log:\n%s", logs.String(), introLogs.String())
		}
	}()

	tok := a.resourceToken(t, "mail-app", mailAppSecret, imapResource, "mail")
	jwtAlice := tok.AccessToken
	header, claims := jwtParts(t, jwtAlice)
	if header["typ"] != "at+jwt" || claims["aud"] != imapResource || claims["client_id"] != "mail-app" {
		t.Fatalf("not a JWT access token for %s: %v %v", imapResource, header, claims)
	}
	// Assentry's JWT names the user by sub alone, the same sub as introspection's (no username in the JWT).
	in := a.introspect(t, jwtAlice)
	sub, _ := claims["sub"].(string)
	if sub == "" || in["sub"] != sub || in["username"] != "alice" || claims["username"] != nil || claims["preferred_username"] != nil {
		t.Fatalf("claims %v, introspection %v", claims, in)
	}
	if out, ok := signIn(t, addr, jwtAlice); !ok || strings.TrimSpace(out) != "a1 OK [AUTHENTICATED] signed in as "+sub {
		t.Fatalf("alice's JWT in JWT mode: %s", out)
	}
	if out, ok := signIn(t, addr, jwtAlice, "-authzid", sub); !ok {
		t.Fatalf("alice's JWT with authzid = sub: %s", out)
	}
	// The JWT carries no username, so the authzid alice is not the token's; MatchAuthzid is how a server that
	// knows its users' subjects would allow it.
	out, ok := signIn(t, addr, jwtAlice, "-authzid", "alice")
	wantFailure(t, out, ok, a, oauthbearer.StatusInvalidRequest)
	if out, ok := signIn(t, intro, jwtAlice); !ok || !strings.Contains(out, "signed in as alice") {
		t.Fatalf("alice's JWT in introspection mode: %s", out)
	}

	refused := func(name, token, reason string) {
		t.Helper()
		before := len(logs.String())
		out, ok := signIn(t, addr, token)
		wantFailure(t, out, ok, a, oauthbearer.StatusInvalidToken)
		if l := logs.String()[before:]; !strings.Contains(l, reason) {
			t.Errorf("%s: the log does not say %q:\n%s", name, reason, l)
		}
	}
	// A JWT for another resource: valid, signed by the same issuer, but its aud is the SMTP server.
	smtp := a.resourceToken(t, "mail-app", mailAppSecret, smtpResource, "mail").AccessToken
	if _, c := jwtParts(t, smtp); c["aud"] != smtpResource {
		t.Fatalf("aud %v", c["aud"])
	}
	refused("another resource", smtp, "token has invalid audience")
	// An opaque token (mail-app's format without a JWT resource): not a JWT at all.
	opaque := a.passwordToken(t, "mail-app", mailAppSecret, "mail")
	refused("opaque", opaque, "token is malformed")
	// Tampered: another sub in the claims, the signature kept.
	parts := strings.Split(jwtAlice, ".")
	claims["sub"] = "someone-else"
	payload, _ := json.Marshal(claims)
	refused("tampered", parts[0]+"."+base64.RawURLEncoding.EncodeToString(payload)+"."+parts[2], "signature is invalid")
	// A client's own JWT for the resource (client credentials): sub is the client_id, and a mailbox is a user's.
	cc := clientcredentials.Config{ClientID: "mail-app", ClientSecret: mailAppSecret, TokenURL: a.issuer + "/oauth2/token",
		Scopes: []string{"mail"}, AuthStyle: oauth2.AuthStyleInHeader, EndpointParams: url.Values{"resource": {imapResource}}}
	own, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, c := jwtParts(t, own.AccessToken); c["sub"] != "mail-app" || c["aud"] != imapResource {
		t.Fatalf("client's own JWT: %v", c)
	}
	refused("client's own", own.AccessToken, "the token is a client's own")

	t.Run("key rotation", func(t *testing.T) { testJWTKeyRotation(t, a, addr, cj, kidsAtStart, jwtAlice) })

	// Revoked at Assentry: the introspecting server refuses it once its cached answer is old (the minute of
	// CacheTTL), the JWT server cannot know and takes it until exp.
	a.revoke(t, "mail-app", mailAppSecret, jwtAlice)
	ci.Add(time.Minute)
	out, ok = signIn(t, intro, jwtAlice)
	wantFailure(t, out, ok, a, oauthbearer.StatusInvalidToken)
	if out, ok := signIn(t, addr, jwtAlice); !ok {
		t.Fatalf("a revoked JWT in JWT mode, before exp: %s (want it accepted: a local check cannot see a revocation)", out)
	}
	exp := time.Unix(int64(claims["exp"].(float64)), 0)
	cj.Add(time.Until(exp) + time.Second)
	refused("expired", jwtAlice, "token is expired")

	for _, tok := range []string{jwtAlice, smtp, opaque, own.AccessToken} {
		if strings.Contains(logs.String(), tok) {
			t.Fatal("the server's log holds a token")
		}
	}
	t.Run("serve command", func(t *testing.T) {
		fresh := a.resourceToken(t, "mail-app", mailAppSecret, imapResource, "mail").AccessToken
		testServeCommand(t, a, fresh, "-jwt-audience", imapResource, "-scope", "mail")
		// Introspection's flags with -jwt-audience are refused rather than ignored.
		var stderr bytes.Buffer
		if code := run(context.Background(), []string{"serve", "-issuer", a.issuer, "-jwt-audience", imapResource,
			"-cache-ttl", "1m"}, func(string) string { return "" }, io.Discard, &stderr); code != 1 ||
			!strings.Contains(stderr.String(), "-client-id and -cache-ttl are for introspection") {
			t.Errorf("-jwt-audience with -cache-ttl: exit %d, %s", code, stderr.String())
		}
	})
}

// testJWTKeyRotation rotates Assentry's signing keys (`assentry keys rotate`) and signs in with a JWT signed by
// the new key, which the verifier did not have: the kid miss fetches the JWKS again. The token signed by the old
// key still signs in (a retired key stays published).
func testJWTKeyRotation(t *testing.T, a *assentry, addr string, cj *clock, kidsAtStart []string, old string) {
	oldHeader, _ := jwtParts(t, old)
	rotate := exec.Command(assentryBin, "--config", a.config, "keys", "rotate")
	rotate.Env = a.env
	if out, err := rotate.CombinedOutput(); err != nil {
		t.Fatalf("keys rotate: %v\n%s", err, out)
	}
	// The new key signs after key_publish_ahead (4 s here); tokens are asked for until one has its kid. Bounded
	// so that a key that never signs fails the test; not a measurement.
	var rotated string
	var kid any
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		rotated = a.resourceToken(t, "mail-app", mailAppSecret, imapResource, "mail").AccessToken
		h, _ := jwtParts(t, rotated)
		if kid = h["kid"]; kid != oldHeader["kid"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no token signed with a new key 60 s after keys rotate (kid still %v)", kid)
		}
	}
	if k, _ := kid.(string); k == "" || slices.Contains(kidsAtStart, k) {
		t.Fatalf("the new kid %v was in the JWKS the verifier fetched at its start (%v)", kid, kidsAtStart)
	}
	// The verifier fetches the JWKS at most once per KeyRefreshInterval for an unknown kid; its clock moves past
	// the one since its start.
	cj.Add(oauthbearer.DefaultKeyRefreshInterval)
	if out, ok := signIn(t, addr, rotated); !ok {
		t.Fatalf("a JWT signed by the rotated key: %s", out)
	}
	if out, ok := signIn(t, addr, old); !ok {
		t.Fatalf("a JWT signed by the retired key: %s", out)
	}
}
