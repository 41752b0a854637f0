package main

import (
	"runtime"
	"runtime/debug"

	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/metrics"
	badgerstore "github.com/assentry/assentry/store/badger"
)

// newMetrics makes the server's instrumentation, labelled with this build and bounded to the configured hosts.
// serve hands it to the store, the hosts and the HTTP server; its Handler is served on the admin listener.
func newMetrics(s *config.Settings) *metrics.Metrics {
	var hosts []string
	for _, h := range s.Hosts {
		hosts = append(hosts, h.ID)
	}
	return metrics.New(metrics.Options{Version: versionString(), Revision: buildRevision(),
		GoVersion: runtime.Version(), Hosts: hosts})
}

// buildRevision is the VCS revision the binary was built from ("-dirty" when the tree had changes), or "".
func buildRevision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" && dirty {
		rev += "-dirty"
	}
	return rev
}

// watchMetrics has the metrics read, at every scrape, the store's counters, sizes and free space, and the
// hosts' stale plugins and signing key ages. At start and after every reload it is given the hosts now served:
// they replace the previous ones, whose ids stop being host labels.
func watchMetrics(m *metrics.Metrics, st *badgerstore.Store, hosts []*assembly.Services) {
	if st != nil { // nil: a backend without Badger's statistics (PostgreSQL: the database has its own)
		m.WatchStore(func() metrics.StoreStats {
			s := st.Stats()
			return metrics.StoreStats{Commits: s.Commits, Writes: s.Writes, LSMBytes: s.LSMBytes, VlogBytes: s.VlogBytes,
				FreeBytes: s.FreeBytes, WritesRefused: s.WritesRefused}
		})
	}
	watched := make([]metrics.WatchedHost, len(hosts))
	for i, h := range hosts {
		watched[i] = metrics.WatchedHost{ID: h.Settings.ID, Keys: h.Keys, Policies: h.Policies}
	}
	m.SetHosts(watched)
}
