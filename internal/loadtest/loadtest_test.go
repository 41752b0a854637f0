package loadtest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/httpapi"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store/badger/badgertest"
	"github.com/assentry/assentry/themes"
)

// testServer is a real Assentry: a host built from configuration by core/assembly on real Badger, served by
// core/httpapi on a 127.0.0.1 listener, as `assentry serve` builds it; with a user, a client for the grants
// without a browser (allowed to introspect) and a web client with an exact https redirect URI.
type testServer struct {
	base               string
	svcID, svcSecret   string
	webID, webSecret   string
	username, password string
	publicID           string
}

const (
	testUser     = "alice"
	testPassword = "correct horse battery"
)

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := &config.Config{Host: config.Host{ID: "test", Issuer: base, IDTokenSigningAlg: "ES256",
		Argon2:     &config.Argon2{Memory: 64, Iterations: 1, Parallelism: 1, MaxConcurrent: 4},
		GrantTypes: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantDeviceCode, oauth.GrantClientCredentials}}}
	settings, _, err := cfg.Validate(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc, err := assembly.Build(ctx, &settings.Hosts[0], badgertest.New(t, nil), assembly.Options{KeyAlgorithms: []string{"ES256"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	if err := svc.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	theme, err := themes.Load(svc.Settings.Theme)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.Options{Hosts: []*httpapi.Host{httpapi.NewHost(svc, theme)},
		TrustedProxies: settings.TrustedProxies, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})

	if _, err := svc.Accounts.Add(ctx, account.NewUser{Username: testUser, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	s := &testServer{base: base, username: testUser, password: testPassword}
	mk := func(spec oauth.ClientSpec) (string, string) {
		c, secret, err := svc.Clients.Create(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID, secret
	}
	s.svcID, s.svcSecret = mk(oauth.ClientSpec{Name: "Service", GrantTypes: []string{oauth.GrantClientCredentials}, Introspect: true})
	s.webID, s.webSecret = mk(oauth.ClientSpec{Name: "Web", RedirectURIs: []string{DefaultRedirectURI},
		GrantTypes: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantDeviceCode}})
	s.publicID, _ = mk(oauth.ClientSpec{Name: "TV", Public: true, RedirectURIs: []string{DefaultRedirectURI},
		GrantTypes: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantDeviceCode}})
	return s
}

// opts are a short bounded run: a count, with a duration that only a hung run would reach.
func (s *testServer) opts(scenario string) Options {
	o := Options{Target: s.base, Scenarios: []string{scenario}, Workers: 4, Requests: 50, Duration: time.Minute,
		Username: s.username, Password: s.password}
	switch scenario {
	case ScenarioClientCredentials, ScenarioIntrospect:
		o.ClientID, o.ClientSecret = s.svcID, s.svcSecret
	default:
		o.ClientID, o.ClientSecret = s.webID, s.webSecret
	}
	return o
}

// checkCounts: the counters add up, the request bound holds, and nothing failed.
func checkCounts(t *testing.T, r ScenarioResult, want int64) {
	t.Helper()
	if r.Requests != r.Successes+r.Errors {
		t.Fatalf("%s: requests %d != successes %d + errors %d", r.Name, r.Requests, r.Successes, r.Errors)
	}
	var byKind int64
	for _, n := range r.ErrorsByKind {
		byKind += n
	}
	if byKind != r.Errors {
		t.Fatalf("%s: errors %d, by kind %v", r.Name, r.Errors, r.ErrorsByKind)
	}
	if r.Requests != want || r.Errors != 0 {
		t.Fatalf("%s: %d requests (want %d), errors %v", r.Name, r.Requests, want, r.ErrorsByKind)
	}
	if r.RPS <= 0 || r.Seconds <= 0 || r.Latency.P50 <= 0 || r.Latency.P50 > r.Latency.P99 || r.Latency.P99 > r.Latency.Max {
		t.Fatalf("%s: rate or latency %+v", r.Name, r)
	}
}

// TestScenarios runs every scenario against the real server with a request bound.
func TestScenarios(t *testing.T) {
	s := newTestServer(t)
	for _, tt := range []struct {
		scenario string
		legs     []string
		change   func(*Options)
	}{
		{scenario: ScenarioClientCredentials},
		{scenario: ScenarioIntrospect},
		{scenario: ScenarioRefresh},
		{scenario: ScenarioUserinfo},
		{scenario: ScenarioCode, legs: []string{"authorize", "token"}},
		{scenario: ScenarioDevice, legs: []string{"device_authorization", "approval", "redemption"}},
		{scenario: ScenarioCeiling},
		// A public client (PKCE, client_id in the form) through the flows that allow one.
		{scenario: ScenarioCode, legs: []string{"authorize", "token"}, change: func(o *Options) {
			o.ClientID, o.ClientSecret, o.Scope = s.publicID, "", "openid profile" // offline_access: asked every time
		}},
		{scenario: ScenarioDevice, legs: []string{"device_authorization", "approval", "redemption"},
			change: func(o *Options) { o.ClientID, o.ClientSecret = s.publicID, "" }},
	} {
		t.Run(tt.scenario, func(t *testing.T) {
			o := s.opts(tt.scenario)
			if tt.change != nil {
				tt.change(&o)
			}
			rep, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Scenarios) != 1 || rep.Interrupted {
				t.Fatalf("report %+v", rep)
			}
			r := rep.Scenarios[0]
			checkCounts(t, r, 50)
			if len(r.Legs) != len(tt.legs) {
				t.Fatalf("legs %+v, want %v", r.Legs, tt.legs)
			}
			for i, l := range r.Legs {
				if l.Name != tt.legs[i] || l.Count != 50 || l.Latency.P50 <= 0 {
					t.Fatalf("leg %+v", l)
				}
			}
		})
	}
}

// TestScenariosInOneRun: comma-separated and repeated names run one after another, with a warmup.
func TestScenariosInOneRun(t *testing.T) {
	s := newTestServer(t)
	o := s.opts(ScenarioCode)
	o.Scenarios = []string{"ceiling,code", "refresh"}
	o.Warmup, o.Requests = 50*time.Millisecond, 30
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rep.Scenarios {
		names = append(names, r.Name)
		checkCounts(t, r, 30)
	}
	if strings.Join(names, ",") != "ceiling,code,refresh" {
		t.Fatalf("ran %v", names)
	}
	var text strings.Builder
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"req/s", "p99", "ceiling", "authorize", "of ceiling"} {
		if !strings.Contains(text.String(), want) {
			t.Fatalf("text report lacks %q:\n%s", want, text.String())
		}
	}
	t.Logf("\n%s", text.String())
}

// TestRefreshTokenFile: the refresh scenario on tokens given (as --refresh-token-file gives them), one chain per
// worker, without signing in.
func TestRefreshTokenFile(t *testing.T) {
	s := newTestServer(t)
	o := s.opts(ScenarioRefresh).withDefaults()
	base, err := CheckTarget(context.Background(), s.base)
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(base, newTransport(4, time.Minute))
	for range 4 {
		_, tok, err := newCodeSession(context.Background(), c, &o)
		if err != nil {
			t.Fatal(err)
		}
		o.RefreshTokens = append(o.RefreshTokens, tok.refresh)
	}
	o.Username, o.Password = "", ""
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, rep.Scenarios[0], 50)

	// Fewer tokens than workers is refused before anything is sent.
	o.Workers = 5
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "one per worker") {
		t.Fatalf("4 tokens for 5 workers: %v", err)
	}
}

// TestSetupErrors: bad credentials fail at setup, naming the step, before any load.
func TestSetupErrors(t *testing.T) {
	s := newTestServer(t)
	for _, tt := range []struct {
		name     string
		scenario string
		change   func(*Options)
		step     string
		msg      string
	}{
		{"wrong secret", ScenarioClientCredentials, func(o *Options) { o.ClientSecret = "wrong" }, "token request", "HTTP 401 invalid_client"},
		{"wrong secret, introspect", ScenarioIntrospect, func(o *Options) { o.ClientSecret = "wrong" }, "token request", "invalid_client"},
		{"introspection not allowed", ScenarioIntrospect, func(o *Options) { o.IntrospectClientID, o.IntrospectClientSecret = s.webID, s.webSecret },
			"introspection", ""},
		{"wrong password", ScenarioCode, func(o *Options) { o.Password = "wrong" }, "sign-in as alice", "not correct"},
		{"unknown user", ScenarioDevice, func(o *Options) { o.Username = "nobody" }, "sign-in as nobody", "not correct"},
		{"redirect URI not registered", ScenarioCode, func(o *Options) { o.RedirectURI = "https://elsewhere.example/cb" },
			"authorization request", "HTTP 400"},
		{"wrong secret, code", ScenarioUserinfo, func(o *Options) { o.ClientSecret = "wrong" }, "code exchange", "invalid_client"},
		{"no offline_access", ScenarioRefresh, func(o *Options) { o.Scope = "openid" }, "code exchange", "offline_access"},
		{"no openid", ScenarioUserinfo, func(o *Options) { o.Scope = "profile" }, "userinfo", "openid"},
		{"device grant not registered", ScenarioDevice, func(o *Options) { o.ClientID, o.ClientSecret = s.svcID, s.svcSecret },
			"device authorization", "unauthorized_client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := s.opts(tt.scenario)
			tt.change(&o)
			rep, err := Run(context.Background(), o)
			var se *SetupError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, %+v; want a setup error", err, rep)
			}
			if se.Scenario != tt.scenario || !strings.Contains(se.Step, tt.step) || !strings.Contains(se.Error(), tt.msg) {
				t.Fatalf("setup error %q (step %q), want step %q and %q", se.Error(), se.Step, tt.step, tt.msg)
			}
			t.Log(se.Error())
			if len(rep.Scenarios) != 0 {
				t.Fatalf("a scenario that failed its setup was reported: %+v", rep.Scenarios)
			}
		})
	}
}

// TestLoopbackOnly: a target outside loopback is refused before anything is sent; the dialer refuses any other
// address too.
func TestLoopbackOnly(t *testing.T) {
	for _, target := range []string{"http://10.0.0.1:8080", "http://192.168.1.10", "https://[2001:db8::1]:8443",
		"http://0.0.0.0:8080", "http://8.8.8.8"} {
		o := Options{Target: target, Scenarios: []string{ScenarioClientCredentials}, ClientID: "a", ClientSecret: "b",
			Duration: time.Second}
		_, err := Run(context.Background(), o)
		if !errors.Is(err, ErrNotLoopback) {
			t.Fatalf("%s: %v, want it refused as not loopback", target, err)
		}
		if err := Check(context.Background(), o); !errors.Is(err, ErrNotLoopback) {
			t.Fatalf("Check %s: %v", target, err)
		}
	}
	for _, target := range []string{"http://127.0.0.1:8080", "http://127.4.5.6", "http://[::1]:8080/"} {
		if _, err := CheckTarget(context.Background(), target); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
	}
	if addrs, err := net.LookupIP("localhost"); err == nil && len(addrs) > 0 {
		loop := true
		for _, a := range addrs {
			loop = loop && a.IsLoopback()
		}
		if _, err := CheckTarget(context.Background(), "http://localhost:8080"); (err == nil) != loop {
			t.Fatalf("localhost (%v): %v", addrs, err)
		}
	}
	for _, bad := range []string{"ftp://127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1/?x=1"} {
		if _, err := CheckTarget(context.Background(), bad); err == nil {
			t.Fatalf("%s accepted", bad)
		}
	}
	for addr, ok := range map[string]bool{"127.0.0.1:80": true, "[::1]:80": true, "10.0.0.1:80": false,
		"[2001:db8::1]:443": false, "192.168.0.1:80": false} {
		if err := loopbackOnly("tcp", addr, nil); (err == nil) != ok || (!ok && !errors.Is(err, ErrNotLoopback)) {
			t.Fatalf("dial %s: %v", addr, err)
		}
	}
}

// TestInterrupt: cancelling the context (SIGINT in the command) ends the run, reported as interrupted.
func TestInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := Options{Scenarios: []string{ScenarioCeiling, ScenarioCeiling}, Workers: 2, Duration: MaxDuration,
		started: func(string) { cancel() }}
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Interrupted || len(rep.Scenarios) != 1 || !rep.Scenarios[0].Interrupted {
		t.Fatalf("report %+v", rep)
	}
	r := rep.Scenarios[0]
	if r.Requests != r.Successes+r.Errors {
		t.Fatalf("counts %+v", r)
	}
}

// TestDurationBound: without a request bound the duration ends the run.
func TestDurationBound(t *testing.T) {
	rep, err := Run(context.Background(), Options{Scenarios: []string{ScenarioCeiling}, Workers: 2, Duration: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Scenarios[0]
	if r.Requests == 0 || r.Requests != r.Successes+r.Errors || r.Seconds < 0.05 {
		t.Fatalf("result %+v", r)
	}
}

// TestOptions: what is wrong with the flags is said at once, before anything is sent.
func TestOptions(t *testing.T) {
	err := Check(context.Background(), Options{Scenarios: []string{"code,bogus"}, Workers: -1, Duration: 2 * MaxDuration})
	for _, want := range []string{`unknown scenario "bogus"`, "workers", "duration", "scenario code needs --client-id",
		"--username"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, want %q", err, want)
		}
	}
	if err := Check(context.Background(), Options{}); err == nil || !strings.Contains(err.Error(), "no scenario") {
		t.Fatalf("no scenario: %v", err)
	}
}
