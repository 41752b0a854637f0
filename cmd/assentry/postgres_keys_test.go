package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"

	"github.com/assentry/assentry/internal/together"
)

// keysPublishAhead is the test's key_publish_ahead: short, so that a rotated key signs within seconds. The key
// cache then refreshes every 1.5s and the JWKS max-age is 3s.
const keysPublishAhead = 6 * time.Second

// instanceClient talks to one instance at addr whatever the URL's host: the two instances share one issuer, as
// behind a load balancer, and each request names it in its Host header.
func instanceClient(addr string) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: crashWorkers, MaxConnsPerHost: crashWorkers,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			}},
	}
}

// shareIssuer makes b serve the issuer of a (b still listens on its own address).
func shareIssuer(t *testing.T, a, b *cliEnv) {
	t.Helper()
	cfg, err := os.ReadFile(b.config)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(cfg), "issuer: http://"+b.addr+"\n", "issuer: http://"+a.addr+"\n", 1)
	if s == string(cfg) {
		t.Fatal("no issuer line in the generated configuration")
	}
	if err := os.WriteFile(b.config, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestServePostgresInstancesCoordinate runs two real servers on one PostgreSQL database, started at the same
// moment on the empty database, behind one issuer, and checks under load (client credentials tokens issued at
// one instance and introspected at the other, all along) that:
//   - the two create one signing key per algorithm between them;
//   - an authorization code redeemed at both at the same instant is redeemed once, 50 times over;
//   - a refresh token rotated at A and replayed at B is refused, and its whole chain is revoked at both;
//   - a key rotated at A is in B's JWKS before A signs with it, and an id_token A signs with it verifies with B's
//     JWKS (go-oidc) and is accepted by B as id_token_hint, at logout and at the authorization endpoint.
func TestServePostgresInstancesCoordinate(t *testing.T) {
	dsn := postgresDB(t)
	a, b := newCLIEnv(t), newCLIEnv(t)
	shareIssuer(t, a, b)
	conf := fmt.Sprintf("grant_types: [authorization_code, refresh_token, client_credentials, password]\n"+
		"key_encryption_key: %s\nkey_publish_ahead: %s\nstore: {backend: postgres, dsn: '%s'}\n", testKEK, keysPublishAhead, dsn)
	a.appendConfig(conf)
	b.appendConfig(conf)

	// Both start together on the empty database.
	var srvA, srvB *runningServer
	var wg sync.WaitGroup
	wg.Go(func() { srvB = b.startServer() })
	srvA = a.startServer()
	wg.Wait()
	if srvB == nil {
		t.Fatal("B did not start")
	}
	defer srvA.stop()
	defer srvB.stop()
	var keys []struct {
		KID string `json:"kid"`
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal([]byte(a.ok("", "keys", "list", "--json")), &keys); err != nil {
		t.Fatal(err)
	}
	algs := map[string]int{}
	for _, k := range keys {
		algs[k.Alg]++
	}
	if len(keys) != 3 || algs["RS256"] != 1 || algs["ES256"] != 1 || algs["EdDSA"] != 1 {
		t.Fatalf("two instances starting together stored the keys %+v, want one per algorithm", keys)
	}

	a.ok("crash round password\n", "user", "add", "alice", "--password-stdin")
	var creds map[string]string
	out := a.ok("", "client", "add", "--name", "Instances", "--client-id", "instances", "--redirect-uri", crashRedirect,
		"--grant-type", "authorization_code", "--grant-type", "refresh_token", "--grant-type", "client_credentials",
		"--grant-type", "password", "--introspect", "--json")
	if err := json.Unmarshal([]byte(out), &creds); err != nil || creds["client_secret"] == "" {
		t.Fatalf("client add: %q %v", out, err)
	}
	issuer := "http://" + a.addr
	clA := crashClient{base: issuer, id: creds["client_id"], secret: creds["client_secret"], c: instanceClient(a.addr)}
	clB := clA
	clB.c = instanceClient(b.addr)
	browserA := newCrashBrowser(t, clA)
	browserB := &crashBrowser{authorizeURL: browserA.authorizeURL, c: &http.Client{Jar: browserA.c.Jar,
		Timeout: 60 * time.Second, Transport: clB.c.Transport, CheckRedirect: browserA.c.CheckRedirect}}

	stopLoad := startCrossLoad(clA, clB)
	t.Run("code redeemed at both at once", func(t *testing.T) { raceCodes(t, browserA, clA, clB, 50) })
	t.Run("refresh replayed at the other instance", func(t *testing.T) { replayRefresh(t, browserA, clA, clB) })
	t.Run("key rotated at A", func(t *testing.T) { rotateAcross(t, a, clA, clB, browserB) })
	if n, failures := stopLoad(); len(failures) > 0 {
		t.Errorf("load beside the checks: %d failures of %d operations, first: %s", len(failures), n, failures[0])
	} else if n == 0 {
		t.Error("no load ran beside the checks")
	} else {
		t.Logf("load beside the checks: %d tokens issued at one instance and active at the other", n)
	}
}

// startCrossLoad runs workers that issue client credentials tokens at one instance and introspect them at the
// other, alternating, until the returned function is called; it returns how many round trips held and what
// failed.
func startCrossLoad(clA, clB crashClient) func() (int64, []string) {
	var stop atomic.Bool
	var n atomic.Int64
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				issue, check := clA, clB
				if (w+i)%2 == 1 {
					issue, check = clB, clA
				}
				var tok tokens
				status, body, err := issue.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, &tok)
				msg := ""
				switch {
				case err != nil || status != http.StatusOK || tok.AccessToken == "":
					msg = fmt.Sprintf("client credentials: %d %s %v", status, body, err)
				default:
					msg = introspect(check, tok.AccessToken, true)
				}
				if msg != "" {
					mu.Lock()
					failures = append(failures, msg)
					mu.Unlock()
					continue
				}
				n.Add(1)
			}
		})
	}
	return func() (int64, []string) {
		stop.Store(true)
		wg.Wait()
		return n.Load(), failures
	}
}

// raceCodes redeems each of rounds fresh codes at A and B at the same instant: exactly one redemption succeeds,
// the other gets invalid_grant.
func raceCodes(t *testing.T, browser *crashBrowser, clA, clB crashClient, rounds int) {
	wins := [2]int{}
	for round := range rounds {
		code, status, err := browser.silentCode()
		if err != nil || code == "" {
			t.Fatalf("round %d: authorization: %d %v", round, status, err)
		}
		answers := [2]string{}
		together.Run(2, func(i int) error {
			answers[i] = redeem([]crashClient{clA, clB}[i], code)
			return nil
		})
		switch answers {
		case [2]string{"ok", "invalid_grant"}:
			wins[0]++
		case [2]string{"invalid_grant", "ok"}:
			wins[1]++
		default:
			t.Fatalf("round %d: the code redeemed at A and B at once: A %q, B %q; want exactly one success and "+
				"invalid_grant", round, answers[0], answers[1])
		}
	}
	t.Logf("%d codes, each redeemed once: %d at A, %d at B", rounds, wins[0], wins[1])
}

// redeem exchanges code and names the answer: "ok", "invalid_grant", or what else came back.
func redeem(cl crashClient, code string) string {
	status, body, err := cl.post("/oauth2/token", exchangeForm(code), nil)
	var e struct {
		Error string `json:"error"`
	}
	switch {
	case err != nil:
		return err.Error()
	case status == http.StatusOK:
		return "ok"
	case status == http.StatusBadRequest && json.Unmarshal([]byte(body), &e) == nil && e.Error == "invalid_grant":
		return "invalid_grant"
	}
	return fmt.Sprintf("%d %s", status, body)
}

// replayRefresh rotates a refresh token at A, replays the old one at B, and checks that the chain is revoked at
// both instances.
func replayRefresh(t *testing.T, browser *crashBrowser, clA, clB crashClient) {
	first := signInAndRedeem(t, clA, browser)
	var second tokens
	refresh := func(rt string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	}
	if status, body, err := clA.post("/oauth2/token", refresh(first.RefreshToken), &second); err != nil || status != http.StatusOK || second.RefreshToken == "" {
		t.Fatalf("rotation at A: %d %s %v", status, body, err)
	}
	for _, msg := range []string{introspect(clB, second.AccessToken, true), introspect(clA, second.RefreshToken, true)} {
		if msg != "" {
			t.Fatalf("before the replay, the rotated chain: %s", msg)
		}
	}
	if msg := grantAnswer(clB, refresh(first.RefreshToken), "invalid_grant"); msg != "" {
		t.Fatalf("the old refresh token replayed at B: %s", msg)
	}
	for name, cl := range map[string]crashClient{"A": clA, "B": clB} {
		if msg := grantAnswer(cl, refresh(second.RefreshToken), "invalid_grant"); msg != "" {
			t.Errorf("the new refresh token at %s after the replay: %s", name, msg)
		}
		for what, tok := range map[string]string{"new access token": second.AccessToken,
			"first access token": first.AccessToken, "new refresh token": second.RefreshToken} {
			if msg := introspect(cl, tok, false); msg != "" {
				t.Errorf("the %s at %s's introspection after the replay: %s", what, name, msg)
			}
		}
	}
}

var rotatedKID = regexp.MustCompile(`RS256: next key (\S+) signs from`)

// rotateAcross rotates the RS256 key with `assentry keys rotate` at A and watches B's JWKS and A's id_tokens
// (a refresh at A each time) until A signs with the new key: B must publish it first. The id_token A signs with it then verifies with
// B's JWKS and is accepted by B as id_token_hint.
func rotateAcross(t *testing.T, a *cliEnv, clA, clB crashClient, browserB *crashBrowser) {
	rotated := time.Now()
	m := rotatedKID.FindStringSubmatch(a.ok("", "keys", "rotate", "--alg", "RS256"))
	if m == nil {
		t.Fatal("keys rotate printed no RS256 key")
	}
	kid := m[1]
	// A's id_tokens: a code of alice's browser, then one refresh at A per poll (each returns an id_token).
	rt := signInAndRedeem(t, clA, browserB).RefreshToken
	idToken := func() string {
		t.Helper()
		var tok struct {
			IDToken      string `json:"id_token"`
			RefreshToken string `json:"refresh_token"`
		}
		status, body, err := clA.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, &tok)
		if err != nil || status != http.StatusOK || tok.IDToken == "" {
			t.Fatalf("refresh at A: %d %s %v", status, body, err)
		}
		rt = tok.RefreshToken
		return tok.IDToken
	}
	var published bool // B has published the new key
	var signed string  // the first id_token A signed with it
	var publishedAt time.Duration
	polls := 0
	for hang := time.Now().Add(2 * time.Minute); signed == ""; polls++ {
		if time.Now().After(hang) {
			t.Fatalf("A did not sign with the rotated key %s within two minutes (key_publish_ahead %s)", kid, keysPublishAhead)
		}
		if !published && slices.Contains(jwksKIDs(t, clB), kid) {
			published, publishedAt = true, time.Since(rotated)
		}
		tok := idToken()
		p, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Header["kid"] == kid {
			if !published {
				t.Fatalf("A signs with the rotated key %s before B publishes it", kid)
			}
			signed = tok
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("rotated at A: in B's JWKS after %v, signing at A after %v (%d polls; key_publish_ahead %v)",
		publishedAt.Round(time.Millisecond), time.Since(rotated).Round(time.Millisecond), polls, keysPublishAhead)

	ctx := oidc.ClientContext(context.Background(), clB.c)
	remote := oidc.NewRemoteKeySet(ctx, clB.base+"/oauth2/jwks")
	if _, err := remote.VerifySignature(ctx, signed); err != nil {
		t.Fatalf("A's id_token does not verify with B's JWKS: %v", err)
	}
	forged := forgeIDToken(t, signed)
	if _, err := remote.VerifySignature(ctx, forged); err == nil {
		t.Fatal("a token of a key nobody published verifies with B's JWKS")
	}

	// B accepts it as id_token_hint at logout (no session in this request: the signed-out page) and refuses the
	// forged one.
	logout := func(hint string) int {
		res, err := clB.c.Get(clB.base + "/oauth2/logout?" + url.Values{"id_token_hint": {hint}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if status := logout(signed); status != http.StatusOK {
		t.Errorf("B's logout with A's id_token as hint: %d, want 200", status)
	}
	if status := logout(forged); status != http.StatusBadRequest {
		t.Errorf("B's logout with a forged hint: %d, want 400", status)
	}
	// And at the authorization endpoint: alice's browser at B gets a code with the hint, an error with the forged.
	authorize := func(hint string) url.Values {
		res, err := browserB.c.Get(browserB.authorizeURL + "&" + url.Values{"id_token_hint": {hint}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil || res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc.String(), crashRedirect) {
			t.Fatalf("authorize at B with a hint: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		return loc.Query()
	}
	if q := authorize(signed); q.Get("code") == "" || q.Get("error") != "" {
		t.Errorf("B's authorization with A's id_token as hint answered %v, want a code", q)
	}
	if q := authorize(forged); q.Get("error") != "invalid_request" {
		t.Errorf("B's authorization with a forged hint answered %v, want invalid_request", q)
	}
}

// forgeIDToken returns tok's claims signed by a key of its own with a kid nobody published.
func forgeIDToken(t *testing.T, tok string) string {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	f.Header["kid"] = "forged-" + rand.Text()[:8]
	s, err := f.SignedString(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
