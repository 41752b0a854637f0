package badger_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
)

// opLog is an Observer counting what it is told.
type opLog struct {
	mu             sync.Mutex
	ops            map[string]int
	commits        int
	committedWrite int
}

func (o *opLog) StoreOp(kind string, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops[kind]++
}

func (o *opLog) StoreCommit(writes int, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.commits++
	o.committedWrite += writes
}

// TestObserverAndStats: every read and write is reported, every commit with the writes it carried (so their sum
// is the writes made, however group commit batched them), and Stats carries the free space of the last probe
// and Badger's file sizes.
func TestObserverAndStats(t *testing.T) {
	for _, noGroup := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoGroupCommit=%v", noGroup), func(t *testing.T) {
			obs := &opLog{ops: map[string]int{}}
			const free = 1 << 40
			st, err := badgerstore.Open(context.Background(), badgerstore.Options{Dir: t.TempDir(),
				Logger: slog.New(slog.DiscardHandler), MemTableSize: 4 << 20, GCInterval: -1, NoGroupCommit: noGroup,
				Observer: obs, FreeSpace: func(string) (uint64, error) { return free, nil }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			ctx := context.Background()
			const n = 40
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					u := &store.User{ID: fmt.Sprintf("u%d", i), Host: "h", Username: fmt.Sprintf("user%d", i)}
					if err := st.Users().Create(ctx, u); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			for i := range 3 {
				if _, err := st.Users().Get(ctx, "h", fmt.Sprintf("u%d", i)); err != nil {
					t.Fatal(err)
				}
			}
			obs.mu.Lock()
			if obs.ops[badgerstore.OpWrite] != n || obs.ops[badgerstore.OpRead] != 3 {
				t.Errorf("ops = %v, want %d writes and 3 reads", obs.ops, n)
			}
			if obs.committedWrite != n || obs.commits < 1 || obs.commits > n {
				t.Errorf("%d commits carrying %d writes, want %d writes", obs.commits, obs.committedWrite, n)
			}
			obs.mu.Unlock()
			s := st.Stats()
			if s.FreeBytes != free || s.WritesRefused {
				t.Errorf("Stats free = %d, refused = %v; want %d, false", s.FreeBytes, s.WritesRefused, uint64(free))
			}
			if s.Writes != n || s.Commits < 1 || s.Commits > n {
				t.Errorf("Stats writes = %d, commits = %d", s.Writes, s.Commits)
			}
		})
	}
}

// TestStatsSizes: Badger measures its files at open (then once a minute): a reopened store reports the value log
// and the tables its first life wrote.
func TestStatsSizes(t *testing.T) {
	dir := t.TempDir()
	o := badgerstore.Options{Dir: dir, Logger: slog.New(slog.DiscardHandler), MemTableSize: 4 << 20, GCInterval: -1}
	st, err := badgerstore.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		u := &store.User{ID: fmt.Sprintf("u%d", i), Host: "h", Username: fmt.Sprintf("user%d", i)}
		if err := st.Users().Create(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = badgerstore.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if s := st.Stats(); s.VlogBytes <= 0 || s.LSMBytes <= 0 {
		t.Fatalf("Stats after reopening: vlog %d, lsm %d bytes; want both above zero", s.VlogBytes, s.LSMBytes)
	}
}

// TestStatsRefused: below the watermark Stats says writes are refused and reports the free space seen.
func TestStatsRefused(t *testing.T) {
	o := badgerstore.Options{Logger: slog.New(slog.DiscardHandler), MemTableSize: 4 << 20, GCInterval: -1}
	low := badgerstore.Watermark(o) / 2
	o.Dir, o.FreeSpace = t.TempDir(), func(string) (uint64, error) { return low, nil }
	st, err := badgerstore.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if s := st.Stats(); !s.WritesRefused || s.FreeBytes != low {
		t.Fatalf("Stats = %+v, want refused with %d free", s, low)
	}
}
