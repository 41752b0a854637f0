package main

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/assentry/assentry/core/config"
)

// hostChanges sorts the hosts of two configurations by id: added, removed, with changed settings (updated) and
// with the same settings (unchanged). Every host is rebuilt on a reload either way (its theme and plugin files
// are read again); updated only says that its settings differ.
func hostChanges(old, next *config.Settings) (added, removed, updated, unchanged []string) {
	before := map[string]*config.HostSettings{}
	for i := range old.Hosts {
		before[old.Hosts[i].ID] = &old.Hosts[i]
	}
	for i := range next.Hosts {
		h := &next.Hosts[i]
		o, ok := before[h.ID]
		switch {
		case !ok:
			added = append(added, h.ID)
		case reflect.DeepEqual(o, h):
			unchanged = append(unchanged, h.ID)
		default:
			updated = append(updated, h.ID)
		}
		delete(before, h.ID)
	}
	for _, h := range old.Hosts {
		if _, gone := before[h.ID]; gone {
			removed = append(removed, h.ID)
		}
	}
	return added, removed, updated, unchanged
}

// needsRestart lists the server-wide settings of next that differ from those the server started with: the
// listener, the data directory, the store's sizes and heartbeat are fixed for the life of the process, and so are the
// listener's timeouts and caps and the trusted proxies, which fiber and the client-address code read once.
// Everything else (the hosts, log_level) takes effect at a reload.
func needsRestart(running, next *config.Settings) []string {
	var out []string
	diff := func(key string, was, now any) {
		if !reflect.DeepEqual(was, now) {
			out = append(out, fmt.Sprintf("%s: running with %v, the file says %v", key, was, now))
		}
	}
	diff("listen", running.Listen, next.Listen)
	diff("data_dir", running.DataDir, next.DataDir)
	diff("store.memtable_mib", running.Store.MemTableSize>>20, next.Store.MemTableSize>>20)
	diff("store.block_cache_mib", running.Store.BlockCacheSize>>20, next.Store.BlockCacheSize>>20)
	diff("store.index_cache_mib", running.Store.IndexCacheSize>>20, next.Store.IndexCacheSize>>20)
	diff("store.heartbeat", running.Store.Heartbeat, next.Store.Heartbeat)
	h, n := running.HTTP, next.HTTP
	diff("http.read_header_timeout", h.ReadHeaderTimeout, n.ReadHeaderTimeout)
	diff("http.read_body_timeout", h.ReadBodyTimeout, n.ReadBodyTimeout)
	diff("http.write_timeout", h.WriteTimeout, n.WriteTimeout)
	diff("http.idle_timeout", h.IdleTimeout, n.IdleTimeout)
	diff("http.max_connections", h.MaxConnections, n.MaxConnections)
	diff("http.max_connections_per_ip", h.MaxConnectionsPerIP, n.MaxConnectionsPerIP)
	if !slices.Equal(running.TrustedProxies, next.TrustedProxies) {
		diff("trusted_proxies", running.TrustedProxies, next.TrustedProxies)
	}
	return out
}
