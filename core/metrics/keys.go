package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assentry/assentry/core/token"
)

// Signers is what the key-age gauge reads of a host's signing keys: token.Manager's Signers.
type Signers interface {
	Signers(ctx context.Context) (signing []token.KeyInfo, missing []string, err error)
}

// keyMetrics read the hosts' signing keys at scrape time.
type keyMetrics struct {
	age *prometheus.Desc
	now func() time.Time

	mu    sync.Mutex
	hosts []watchedKeys
}

type watchedKeys struct {
	host string
	k    Signers
}

// keyReadTimeout bounds the store read of one host's keys during a scrape (the key cache is usually fresh and no
// read happens at all).
const keyReadTimeout = 5 * time.Second

// WatchKeys adds host's signing keys to assentry_signing_key_age_seconds.
func (m *Metrics) WatchKeys(host string, k Signers) {
	m.keys.mu.Lock()
	defer m.keys.mu.Unlock()
	m.keys.hosts = append(m.keys.hosts, watchedKeys{m.host(host), k})
}

func newKeyMetrics(reg prometheus.Registerer, now func() time.Time) *keyMetrics {
	k := &keyMetrics{now: now, age: prometheus.NewDesc(namespace+"_signing_key_age_seconds",
		"Age of the key that signs now, per host id and algorithm; an algorithm without one has no series.",
		[]string{"host", "alg"}, nil)}
	reg.MustRegister(k)
	return k
}

// Describe implements prometheus.Collector.
func (k *keyMetrics) Describe(ch chan<- *prometheus.Desc) { ch <- k.age }

// Collect implements prometheus.Collector. A host whose keys cannot be read is left out of this scrape (the
// token manager logs the failure, and /readyz reports it).
func (k *keyMetrics) Collect(ch chan<- prometheus.Metric) {
	k.mu.Lock()
	hosts := append([]watchedKeys(nil), k.hosts...)
	k.mu.Unlock()
	now := k.now()
	for _, w := range hosts {
		ctx, cancel := context.WithTimeout(context.Background(), keyReadTimeout)
		signing, _, err := w.k.Signers(ctx)
		cancel()
		if err != nil {
			continue
		}
		for _, s := range signing {
			ch <- prometheus.MustNewConstMetric(k.age, prometheus.GaugeValue, now.Sub(s.CreatedAt).Seconds(), w.host, s.Algorithm)
		}
	}
}
