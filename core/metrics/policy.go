package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assentry/assentry/policy"
)

var _ policy.Observer = (*Metrics)(nil)

// policyMetrics count plugin calls and hold the hosts' plugin managers for assentry_policy_stale.
type policyMetrics struct {
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	stale    *prometheus.Desc

	mu       sync.Mutex
	managers []watchedPolicies
}

// PolicyStatus is what the stale gauge reads of a host's plugins: policy.Manager's Plugins and Stale.
type PolicyStatus interface {
	Plugins() []string
	Stale() []string
}

type watchedPolicies struct {
	host string
	p    PolicyStatus
}

func newPolicyMetrics(reg prometheus.Registerer) *policyMetrics {
	p := &policyMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "policy",
			Name: "calls_total", Help: "Plugin calls by host id, plugin, hook and outcome (a decision, ok, timeout, declared_error or a failure kind)."},
			[]string{"host", "plugin", "hook", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "policy",
			Name: "call_duration_seconds", Help: "Time of a plugin call by plugin and hook, encoding and decoding included.",
			Buckets: shortBuckets}, []string{"plugin", "hook"}),
		stale: prometheus.NewDesc(namespace+"_policy_stale",
			"1 while a plugin is stale: its file failed to load and an earlier version still runs, else 0.", []string{"host", "plugin"}, nil),
	}
	reg.MustRegister(p.calls, p.duration, p)
	return p
}

// PolicyCall implements policy.Observer.
func (m *Metrics) PolicyCall(host, plugin, hook, outcome string, took time.Duration) {
	m.policy.calls.WithLabelValues(m.host(host), plugin, hook, outcome).Inc()
	m.policy.duration.WithLabelValues(plugin, hook).Observe(took.Seconds())
}

// WatchPolicies adds host's plugins to assentry_policy_stale: one series per configured plugin, 1 while stale.
func (m *Metrics) WatchPolicies(host string, p PolicyStatus) {
	m.policy.mu.Lock()
	defer m.policy.mu.Unlock()
	m.policy.managers = append(m.policy.managers, watchedPolicies{m.host(host), p})
}

// Describe implements prometheus.Collector for the stale gauge.
func (p *policyMetrics) Describe(ch chan<- *prometheus.Desc) { ch <- p.stale }

// Collect implements prometheus.Collector for the stale gauge.
func (p *policyMetrics) Collect(ch chan<- prometheus.Metric) {
	p.mu.Lock()
	managers := append([]watchedPolicies(nil), p.managers...)
	p.mu.Unlock()
	for _, w := range managers {
		stale := map[string]bool{}
		for _, n := range w.p.Stale() {
			stale[n] = true
		}
		for _, n := range w.p.Plugins() {
			v := 0.0
			if stale[n] {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(p.stale, prometheus.GaugeValue, v, w.host, n)
		}
	}
}
