package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/metrics"
)

// TestMetricsThroughTheServer: a real host (fiber on a listener, Badger, a Lua plugin) instrumented as `assentry
// serve` instruments it; a code flow, a failed login and a stray request, then a scrape of the metrics handler
// over HTTP. The counters say what happened, and no label carries the client_id, the username or the user id.
func TestMetricsThroughTheServer(t *testing.T) {
	m := metrics.New(metrics.Options{Version: "test", Hosts: []string{"test"}})
	path := filepath.Join(t.TempDir(), "extra.lua")
	if err := os.WriteFile(path, []byte(claimsPlugin), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withObserver(m), withLuaPlugin("extra", path), func(s *envSetup) {
		s.build.Events = func(*config.HostSettings) (events.Sink, error) { return m, nil }
		s.build.PolicyObserver = m
	})
	m.WatchKeys("test", e.svc.Keys)
	m.WatchPolicies("test", e.svc.Policies)
	u := e.addUser("alice", "correct horse battery")
	clientID, _, _ := e.issueTokens("alice", "correct horse battery", "openid profile")
	if p := e.browser().login("alice", "wrong"); p.status != http.StatusOK && p.status != http.StatusUnauthorized {
		t.Fatalf("failed login: %d", p.status)
	}
	e.browser().get("/.env")

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body := string(raw)
	series := func(re string) []string {
		return regexp.MustCompile(`(?m)^`+re+`.*$`).FindAllString(body, -1)
	}
	for _, want := range []string{
		`assentry_http_requests_total{endpoint="/oauth2/token",host="test",status="200"} 1`,
		`assentry_http_requests_total{endpoint="/oauth2/authorize",host="test",status="303"}`,
		`assentry_http_requests_total{endpoint="/login",host="test",status="200"}`,
		`assentry_http_requests_total{endpoint="other",host="test",status="404"} 1`,
		`assentry_http_request_duration_seconds_count{endpoint="/oauth2/token",host="test"} 1`,
		`assentry_policy_calls_total{hook="claims",host="test",outcome="ok",plugin="extra"}`,
		`assentry_policy_stale{host="test",plugin="extra"} 0`,
		`assentry_signing_key_age_seconds{alg="ES256",host="test"}`,
		`assentry_build_info{go_version="",revision="",version="test"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the scrape lacks %s; it has:\n%s", want, strings.Join(series(`assentry_(http_requests_total|policy)`), "\n"))
		}
	}
	// The core's events, counted by their bounded fields: the flow's login and tokens, and the failed login.
	for _, want := range []string{
		`assentry_tokens_total\{client_kind="(confidential|public)",event="token.issued",grant_type="authorization_code",host="test"\} 1$`,
		`assentry_logins_total\{host="test",outcome="ok"\} 1$`,
		`assentry_logins_total\{host="test",outcome="failed"\} 1$`,
		`assentry_events_total\{event="consent.given",host="test"\} 1$`,
	} {
		if len(series(want)) != 1 {
			t.Errorf("the scrape lacks %s; it has:\n%s", want, strings.Join(series(`assentry_(tokens|logins|events)_total`), "\n"))
		}
	}
	if n := len(series(`assentry_http_requests_total`)); n == 0 || n > 12 {
		t.Errorf("%d request series for one flow", n)
	}
	for _, secret := range []string{clientID, "alice", u.ID, ".env"} {
		if strings.Contains(body, secret) {
			t.Errorf("a label carries %q", secret)
		}
	}
}
