package badger

import "sync/atomic"

// Stats count what the store's writes cost: Commits is the write transactions committed (each one sync with
// SyncWrites), Writes the writes they carried. Writes/Commits is the batch size group commit achieves.
type Stats struct {
	Commits int64
	Writes  int64
}

// stats are the live counters behind Stats.
type stats struct{ commits, writes atomic.Int64 }

func (s *stats) commit(writes int) {
	s.commits.Add(1)
	s.writes.Add(int64(writes))
}

// Stats returns the counters since Open.
func (s *Store) Stats() Stats {
	return Stats{Commits: s.stats.commits.Load(), Writes: s.stats.writes.Load()}
}
