package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/internal/testlog"
)

// postFrom posts a form with an Authorization header from addr, which the server believes through its trusted
// proxy (127.0.0.1, the test client's own address) as login_test.go does.
func (e *testEnv) postFrom(addr, path, body, authorization string) page {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", authorization)
	b := e.browser()
	b.xff = addr
	return b.do(req)
}

// TestClientAuthThrottleEndToEnd: RFC 6749 §2.3.1 over the real server. Wrong secrets in HTTP Basic at
// /oauth2/token from one address end in 429 temporarily_unavailable with Retry-After and a JSON body, also for
// the right secret from there; failures at revocation count too (one pair of buckets for every endpoint that
// authenticates clients), and introspection is throttled as well; the real client, from another address, still
// gets its token. One warning names the client and the address.
func TestClientAuthThrottleEndToEnd(t *testing.T) {
	logs := &testlog.Buffer{}
	e := newEnv(t, withLogger(slog.New(slog.NewTextHandler(logs, nil))), withConfig(func(c *config.Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
		c.RateLimits.ClientAuthFailuresPerClientIP = every(3, time.Hour)
	}))
	u := e.addUser("alice", "correct horse battery")
	e.tkClient("web", "web-secret", oauth.AuthClientSecretBasic, true)
	const attacker, real = "203.0.113.66", "198.51.100.5"

	wrong := func(path string) {
		t.Helper()
		p := e.postFrom(attacker, path, exchangeForm("ac_x").Encode()+"&token=at_x", tkBasic("web", "guess"))
		if m := jsonOf(t, p); p.status != http.StatusUnauthorized || m["error"] != "invalid_client" {
			t.Fatalf("wrong secret at %s: %d %s", path, p.status, p.body)
		}
	}
	wrong("/oauth2/token")
	wrong("/oauth2/token")
	wrong("/oauth2/revoke")

	throttled := func(path, body string) {
		t.Helper()
		p := e.postFrom(attacker, path, body, tkBasic("web", "web-secret"))
		m := jsonOf(t, p)
		if p.status != http.StatusTooManyRequests || m["error"] != "temporarily_unavailable" || m["error_description"] == "" ||
			p.header.Get("Retry-After") != "3600" || p.header.Get("WWW-Authenticate") != "" {
			t.Fatalf("right secret at %s from the throttled address: %d Retry-After=%q %s", path, p.status,
				p.header.Get("Retry-After"), p.body)
		}
	}
	throttled("/oauth2/token", exchangeForm(e.tkCode("web", u.ID, "openid")).Encode())
	throttled("/oauth2/introspect", "token=at_x")

	p := e.postFrom(real, "/oauth2/token", exchangeForm(e.tkCode("web", u.ID, "openid")).Encode(), tkBasic("web", "web-secret"))
	if m := jsonOf(t, p); p.status != http.StatusOK || !strings.HasPrefix(m["access_token"].(string), "at_") {
		t.Fatalf("the real client from another address: %d %s", p.status, p.body)
	}
	var warns []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "level=WARN") && strings.Contains(l, "throttl") {
			warns = append(warns, l)
		}
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "ip="+attacker) || !strings.Contains(warns[0], "client_id=web") ||
		strings.Contains(logs.String(), "guess") {
		t.Fatalf("want one warning with client_id=web and ip=%s, without the secret:\n%s", attacker, logs.String())
	}
}
