package metrics_test

import (
	"context"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/httpapi"
	"github.com/assentry/assentry/core/metrics"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// The observer interfaces the other packages define, implemented here without their importing Prometheus.
var (
	_ httpapi.Observer     = (*metrics.Metrics)(nil)
	_ events.Sink          = (*metrics.Metrics)(nil)
	_ policy.Observer      = (*metrics.Metrics)(nil)
	_ store.Observer       = (*metrics.Metrics)(nil)
	_ metrics.PolicyStatus = (*policy.Manager)(nil)
)

func TestBuildInfoAndRuntime(t *testing.T) {
	m := metrics.New(metrics.Options{Version: "1.2.3", Revision: "abc123", GoVersion: "go1.26.8"})
	body := scrape(t, m)
	want(t, body, 1, "assentry_build_info", "version=1.2.3", "revision=abc123", "go_version=go1.26.8")
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := sample(body, name); !ok {
			t.Errorf("no %s: the Go and process collectors are missing", name)
		}
	}
	// A private registry: two Metrics in one process do not collide (the global registry would panic).
	_ = metrics.New(metrics.Options{})
}

// TestEventsSink: events count by their bounded fields only; identifiers never become labels, an unconfigured
// host is "unknown", an unknown grant type "other".
func TestEventsSink(t *testing.T) {
	m := metrics.New(metrics.Options{Hosts: []string{"h1", "h2"}})
	ctx := context.Background()
	emit := func(e events.Event) {
		e.UserID, e.Username, e.ClientID, e.IP = "user-id-7f3a", "alice-the-user", "client-id-9c1b", "192.0.2.7"
		m.Emit(ctx, &e)
	}
	for range 2 {
		emit(events.Event{Kind: events.TokenIssued, Host: "h1", GrantType: "authorization_code", ClientKind: events.ClientConfidential})
	}
	emit(events.Event{Kind: events.TokenRefreshed, Host: "h1", GrantType: "refresh_token", ClientKind: events.ClientPublic})
	emit(events.Event{Kind: events.TokenRevoked, Host: "h2"})
	emit(events.Event{Kind: events.TokenIntrospect, Host: "h2", ClientKind: events.ClientConfidential})
	emit(events.Event{Kind: events.TokenReuse, Host: "h1", GrantType: "refresh_token", ClientKind: events.ClientPublic})
	emit(events.Event{Kind: events.TokenIssued, Host: "h1", GrantType: "urn:example:my-own-grant", ClientKind: "weird"})
	emit(events.Event{Kind: events.LoginSucceeded, Host: "h1", Outcome: events.OutcomeOK})
	for range 3 {
		emit(events.Event{Kind: events.LoginFailed, Host: "h1", Reason: "bad_password"})
	}
	emit(events.Event{Kind: events.LoginRateLimited, Host: "h2"})
	emit(events.Event{Kind: events.LoginFailed, Host: "not-configured"})
	emit(events.Event{Kind: events.AdminAction, Op: "user.add"})
	emit(events.Event{Kind: "something.new", Host: "h1"})

	body := scrape(t, m)
	want(t, body, 2, "assentry_tokens_total", "host=h1", "event=token.issued", "grant_type=authorization_code", "client_kind=confidential")
	want(t, body, 1, "assentry_tokens_total", "host=h1", "event=token.refreshed", "grant_type=refresh_token", "client_kind=public")
	want(t, body, 1, "assentry_tokens_total", "host=h2", "event=token.revoked", "grant_type=", "client_kind=")
	want(t, body, 1, "assentry_tokens_total", "host=h2", "event=token.introspected", "grant_type=", "client_kind=confidential")
	want(t, body, 1, "assentry_tokens_total", "host=h1", "event=token.reuse_detected", "grant_type=refresh_token", "client_kind=public")
	want(t, body, 1, "assentry_tokens_total", "host=h1", "event=token.issued", "grant_type=other", "client_kind=other")
	want(t, body, 1, "assentry_logins_total", "host=h1", "outcome=ok")
	want(t, body, 3, "assentry_logins_total", "host=h1", "outcome=failed")
	want(t, body, 1, "assentry_logins_total", "host=h2", "outcome=rate_limited")
	want(t, body, 1, "assentry_logins_total", "host=unknown", "outcome=failed")
	want(t, body, 3, "assentry_events_total", "host=h1", "event=login.failed")
	want(t, body, 1, "assentry_events_total", "host=", "event=admin.action")
	want(t, body, 1, "assentry_events_total", "host=h1", "event=other")
	for _, id := range []string{"user-id-7f3a", "alice-the-user", "client-id-9c1b", "192.0.2.7", "not-configured", "my-own-grant", "something.new"} {
		if strings.Contains(body, id) {
			t.Errorf("a label carries %q", id)
		}
	}
}
