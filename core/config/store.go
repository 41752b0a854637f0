package config

import (
	"fmt"
	"time"
)

// DefaultStoreConnectTimeout is store.connect_timeout when the file leaves it out.
const DefaultStoreConnectTimeout = 5 * time.Second

// maxStoreConnectTimeout bounds store.connect_timeout: a request waits that long for a connection before the
// server answers 503, and every client has long given up after a minute.
const maxStoreConnectTimeout = time.Minute

// maxStoreConns bounds store.max_conns: PostgreSQL's default max_connections is 100 for every client together.
const maxStoreConns = 1000

// Bounds of store.heartbeat: below a second the renewals are load for nothing; above ten minutes a client
// removed from the configuration of a server that crashed lingers for half an hour.
const (
	minHeartbeat = time.Second
	maxHeartbeat = 10 * time.Minute
)

// resolveStore checks the backend keys of store: section and returns the settings they give (the Badger sizes are
// resolved by the caller). Each backend's keys are refused under the other, so that a DSN left in the file of a
// Badger server, or a memtable size under PostgreSQL, is not silently ignored.
func resolveStore(c *Store, r *report) StoreSettings {
	s := StoreSettings{Backend: StoreBadger, Heartbeat: DefaultHeartbeat}
	if c == nil {
		return s
	}
	if c.Heartbeat != nil {
		s.Heartbeat = c.Heartbeat.Std()
		if s.Heartbeat < minHeartbeat || s.Heartbeat > maxHeartbeat {
			r.errorf("store.heartbeat", "", fmt.Sprintf("must be between %s and %s, got %s", minHeartbeat, maxHeartbeat, s.Heartbeat))
		}
	}
	if c.Backend != "" {
		s.Backend = c.Backend
	}
	s.DSN, s.MaxConns = c.DSN, c.MaxConns
	switch s.Backend {
	case StoreBadger:
		if c.DSN != "" {
			r.errorf("store.dsn", "", "is for backend postgres; the badger backend keeps its data in data_dir")
		}
		if c.MaxConns != 0 {
			r.errorf("store.max_conns", "", "is for backend postgres")
		}
		if c.ConnectTimeout != nil {
			r.errorf("store.connect_timeout", "", "is for backend postgres")
		}
	case StorePostgres:
		if c.DSN == "" {
			r.errorf("store.dsn", "", "is required with backend postgres (set it here or in ASSENTRY_STORE__DSN)")
		}
		s.ConnectTimeout = DefaultStoreConnectTimeout
		if c.ConnectTimeout != nil {
			s.ConnectTimeout = c.ConnectTimeout.Std()
			if s.ConnectTimeout < 100*time.Millisecond || s.ConnectTimeout > maxStoreConnectTimeout {
				r.errorf("store.connect_timeout", "", fmt.Sprintf("must be between 100ms and %v, got %v",
					maxStoreConnectTimeout, s.ConnectTimeout))
			}
		}
		for _, f := range []struct {
			key string
			v   int
		}{{"store.memtable_mib", c.MemTableMiB}, {"store.block_cache_mib", c.BlockCacheMiB},
			{"store.index_cache_mib", c.IndexCacheMiB}} {
			if f.v != 0 {
				r.errorf(f.key, "", "is for backend badger")
			}
		}
	default:
		r.errorf("store.backend", "", fmt.Sprintf("%q must be badger or postgres", c.Backend))
	}
	if c.MaxConns < 0 || c.MaxConns > maxStoreConns {
		r.errorf("store.max_conns", "", fmt.Sprintf("must be between 1 and %d (0 or unset: the driver's default), got %d",
			maxStoreConns, c.MaxConns))
	}
	return s
}
