package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assentry/assentry/core/events"
)

var _ events.Sink = (*Metrics)(nil)

// eventMetrics count the core's security events.
type eventMetrics struct {
	all    *prometheus.CounterVec
	tokens *prometheus.CounterVec
	logins *prometheus.CounterVec
}

func newEventMetrics(reg prometheus.Registerer) eventMetrics {
	e := eventMetrics{
		all: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "events_total",
			Help: "Security events by host id and kind (the audit log's event names)."}, []string{"host", "event"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "tokens_total",
			Help: "Tokens issued, refreshed, revoked, introspected and reuses detected, by host id, event, grant type and client kind."},
			[]string{"host", "event", "grant_type", "client_kind"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "logins_total",
			Help: "Password logins (login page and password grant) by host id and outcome: ok, failed, rate_limited."},
			[]string{"host", "outcome"}),
	}
	reg.MustRegister(e.all, e.tokens, e.logins)
	return e
}

// knownKinds are the event kinds counted by name (every kind core/events lists); any other counts as "other", so
// no event can grow a label set.
var knownKinds = func() map[events.Kind]bool {
	m := map[events.Kind]bool{}
	for _, k := range events.Kinds() {
		m[k] = true
	}
	return m
}()

// tokenKinds are the kinds assentry_tokens_total counts.
var tokenKinds = map[events.Kind]bool{events.TokenIssued: true, events.TokenRefreshed: true,
	events.TokenRevoked: true, events.TokenIntrospect: true, events.TokenReuse: true}

// loginOutcomes map the login kinds to assentry_logins_total's outcome.
var loginOutcomes = map[events.Kind]string{events.LoginSucceeded: "ok", events.LoginFailed: "failed",
	events.LoginRateLimited: "rate_limited"}

// knownGrants are the grant_type labels; an embedder's own grant type counts as "other".
var knownGrants = map[string]bool{"": true, "authorization_code": true, "refresh_token": true,
	"client_credentials": true, "password": true, "implicit": true, "device_code": true,
	"urn:ietf:params:oauth:grant-type:device_code": true}

// Emit implements events.Sink: it counts e by its bounded fields only (host, kind, grant type, client kind),
// never by its identifiers.
func (m *Metrics) Emit(_ context.Context, e *events.Event) {
	host := m.host(e.Host)
	kind := string(e.Kind)
	if !knownKinds[e.Kind] {
		kind = "other"
	}
	m.events.all.WithLabelValues(host, kind).Inc()
	if tokenKinds[e.Kind] {
		grant := e.GrantType
		if !knownGrants[grant] {
			grant = "other"
		}
		ck := e.ClientKind
		if ck != "" && ck != events.ClientConfidential && ck != events.ClientPublic {
			ck = "other"
		}
		m.events.tokens.WithLabelValues(host, kind, grant, ck).Inc()
	}
	if outcome, ok := loginOutcomes[e.Kind]; ok {
		m.events.logins.WithLabelValues(host, outcome).Inc()
	}
}
