package badger

import (
	"sync/atomic"

	"github.com/assentry/assentry/store"
)

// Stats count what the store's writes cost and what it holds: Commits is the write transactions committed (each
// one sync with SyncWrites), Writes the writes they carried. Writes/Commits is the batch size group commit
// achieves. For metrics, which read it at every scrape (core/metrics has the collector; the composition root
// hands it this snapshot, so this package needs no metrics library).
type Stats struct {
	Commits int64
	Writes  int64
	// LSMBytes and VlogBytes are the sizes of Badger's table files and value-log files, as Badger last measured
	// them (at open, then once a minute); zero in memory.
	LSMBytes  int64
	VlogBytes int64
	// FreeBytes is the free space of the data directory's filesystem at the last probe (every second, and as
	// writes go, space.go); zero in memory.
	FreeBytes uint64
	// WritesRefused is set while the free space is below the watermark and writes are refused.
	WritesRefused bool
}

// stats are the live counters behind Stats.
type stats struct{ commits, writes atomic.Int64 }

func (s *stats) commit(writes int) {
	s.commits.Add(1)
	s.writes.Add(int64(writes))
}

// Stats returns the counters since Open and the current sizes. It does no I/O.
func (s *Store) Stats() Stats {
	st := Stats{Commits: s.stats.commits.Load(), Writes: s.stats.writes.Load(), WritesRefused: s.space.admit() != nil}
	st.LSMBytes, st.VlogBytes = s.db.Size()
	if s.space != nil {
		st.FreeBytes = s.space.lastFree.Load()
	}
	return st
}

// Operation kinds an Observer is told of (store.OpRead, store.OpWrite).
const (
	OpRead  = store.OpRead
	OpWrite = store.OpWrite
)

// Observer is told what the store's operations cost (store.Observer); Stats carries the totals and sizes. Its
// StoreCommit runs in the committer, once per batch.
type Observer = store.Observer
