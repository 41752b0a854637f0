package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// StoreStats is a snapshot of the store's counters and sizes, read at every scrape. The composition root fills
// it from the store backend's own statistics (store/badger's Stats), so this package imports no backend.
type StoreStats struct {
	Commits, Writes     int64 // write transactions committed, and the writes they carried, since open
	LSMBytes, VlogBytes int64
	FreeBytes           uint64 // free space of the data directory's filesystem
	WritesRefused       bool   // below the free-space watermark
}

// storeMetrics are the store's latency histograms and the collector of its snapshot.
type storeMetrics struct {
	op     *prometheus.HistogramVec
	commit prometheus.Histogram
	batch  prometheus.Histogram

	commits, writes, lsm, vlog, free, refused *prometheus.Desc

	mu    sync.Mutex
	stats func() StoreStats
}

func newStoreMetrics(reg prometheus.Registerer) *storeMetrics {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(namespace+"_store_"+name, help, nil, nil)
	}
	s := &storeMetrics{
		op: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "store",
			Name: "operation_duration_seconds", Help: "Time of a store operation by kind: read, or write (from admission to durable commit).",
			Buckets: shortBuckets}, []string{"op"}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "store",
			Name: "commit_duration_seconds", Help: "Time of one commit of a write transaction, its sync included.",
			Buckets: shortBuckets}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "store",
			Name: "commit_batch_size", Help: "Writes carried by one commit (one sync): the batch size of group commit.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}}),
		commits: desc("commits_total", "Write transactions committed since the store opened (one sync each)."),
		writes:  desc("writes_total", "Writes committed since the store opened."),
		lsm:     desc("lsm_bytes", "Size of Badger's table files (LSM tree), as Badger last measured it (at open, then every minute)."),
		vlog:    desc("vlog_bytes", "Size of Badger's value-log files, as Badger last measured it (at open, then every minute)."),
		free:    desc("free_bytes", "Free space of the data directory's filesystem at the store's last probe (every second)."),
		refused: desc("writes_refused", "1 while the store refuses writes because free space is below its watermark, else 0."),
	}
	reg.MustRegister(s.op, s.commit, s.batch, s)
	return s
}

// StoreOp implements store.Observer: one read or write and its latency.
func (m *Metrics) StoreOp(kind string, took time.Duration) {
	m.store.op.WithLabelValues(kind).Observe(took.Seconds())
}

// StoreCommit implements store.Observer: one commit, the writes it carried and its latency.
func (m *Metrics) StoreCommit(writes int, took time.Duration) {
	m.store.batch.Observe(float64(writes))
	m.store.commit.Observe(took.Seconds())
}

// WatchStore makes every scrape read stats for the store's counters, sizes and free space.
func (m *Metrics) WatchStore(stats func() StoreStats) {
	m.store.mu.Lock()
	defer m.store.mu.Unlock()
	m.store.stats = stats
}

// Describe implements prometheus.Collector for the store's snapshot.
func (s *storeMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{s.commits, s.writes, s.lsm, s.vlog, s.free, s.refused} {
		ch <- d
	}
}

// Collect implements prometheus.Collector for the store's snapshot; nothing before WatchStore.
func (s *storeMetrics) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	stats := s.stats
	s.mu.Unlock()
	if stats == nil {
		return
	}
	st := stats()
	refused := 0.0
	if st.WritesRefused {
		refused = 1
	}
	ch <- prometheus.MustNewConstMetric(s.commits, prometheus.CounterValue, float64(st.Commits))
	ch <- prometheus.MustNewConstMetric(s.writes, prometheus.CounterValue, float64(st.Writes))
	ch <- prometheus.MustNewConstMetric(s.lsm, prometheus.GaugeValue, float64(st.LSMBytes))
	ch <- prometheus.MustNewConstMetric(s.vlog, prometheus.GaugeValue, float64(st.VlogBytes))
	ch <- prometheus.MustNewConstMetric(s.free, prometheus.GaugeValue, float64(st.FreeBytes))
	ch <- prometheus.MustNewConstMetric(s.refused, prometheus.GaugeValue, refused)
}
