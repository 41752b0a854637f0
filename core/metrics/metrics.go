package metrics

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of Assentry's own.
const namespace = "assentry"

// HostUnknown is the host label of what names no configured host.
const HostUnknown = "unknown"

// Options are what a Metrics is built with.
type Options struct {
	// Version, Revision and GoVersion label assentry_build_info.
	Version, Revision, GoVersion string
	// Hosts are the configured host ids: a host label is one of them, "" for server-wide events, or HostUnknown.
	Hosts []string
	// Now is the clock of the key ages; nil: time.Now.
	Now func() time.Time
}

// Metrics is the server's instrumentation. Its methods are safe for concurrent use; the zero value is not usable,
// use New.
type Metrics struct {
	reg   *prometheus.Registry
	hosts atomic.Pointer[map[string]bool] // the configured host ids; replaced by SetHosts
	now   func() time.Time

	http   httpMetrics
	events eventMetrics
	policy *policyMetrics
	store  *storeMetrics
	keys   *keyMetrics
}

// New builds the registry with every metric, the build info, and the Go and process collectors.
func New(o Options) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), now: o.Now}
	if m.now == nil {
		m.now = time.Now
	}
	m.setHostIDs(o.Hosts)
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "build_info",
		Help: "Always 1; its labels say which build runs."}, []string{"version", "revision", "go_version"})
	buildInfo.WithLabelValues(o.Version, o.Revision, o.GoVersion).Set(1)
	m.reg.MustRegister(buildInfo, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.http = newHTTPMetrics(m.reg)
	m.events = newEventMetrics(m.reg)
	m.policy = newPolicyMetrics(m.reg)
	m.store = newStoreMetrics(m.reg)
	m.keys = newKeyMetrics(m.reg, m.now)
	return m
}

// Handler serves the metrics in the Prometheus exposition formats. A failing collector is reported in the
// answer (HTTP 500 with the error) rather than served partially.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// host bounds a host label: a configured id, "" (server-wide), or HostUnknown.
func (m *Metrics) host(h string) string {
	if h == "" || (*m.hosts.Load())[h] {
		return h
	}
	return HostUnknown
}

// Buckets of the latency histograms, in seconds. Requests span a cached JWKS answer (well under a millisecond)
// to a password check (argon2id, hundreds of milliseconds); plugin calls and store operations are shorter.
var (
	requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	shortBuckets   = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
)

func (m *Metrics) setHostIDs(ids []string) {
	hosts := map[string]bool{}
	for _, h := range ids {
		hosts[h] = true
	}
	m.hosts.Store(&hosts)
}

// WatchedHost is what the metrics read of one configured host at every scrape.
type WatchedHost struct {
	ID       string
	Keys     Signers
	Policies PolicyStatus
}

// SetHosts replaces the configured hosts (at start and after every reload of the configuration): their ids become
// the host label's values, and their signing keys and plugins are read at every scrape, instead of the previous
// hosts'. Counters already kept under a removed host's id stay until the process ends, as Prometheus expects of
// counters.
func (m *Metrics) SetHosts(hosts []WatchedHost) {
	ids := make([]string, len(hosts))
	keys := make([]watchedKeys, len(hosts))
	policies := make([]watchedPolicies, len(hosts))
	for i, h := range hosts {
		ids[i] = h.ID
		keys[i] = watchedKeys{h.ID, h.Keys}
		policies[i] = watchedPolicies{h.ID, h.Policies}
	}
	m.setHostIDs(ids)
	m.keys.mu.Lock()
	m.keys.hosts = keys
	m.keys.mu.Unlock()
	m.policy.mu.Lock()
	m.policy.managers = policies
	m.policy.mu.Unlock()
}
