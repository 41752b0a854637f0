package badger

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bdg "github.com/dgraph-io/badger/v4"

	"github.com/assentry/assentry/store"
)

// Disk-full guard. Badger writes its write-ahead log, and the tables of its flushes and compactions, through
// memory-mapped sparse files: on a full filesystem the kernel cannot back a page of them and kills the process
// with SIGBUS (in (*logFile).writeEntry, for the log) instead of returning ENOSPC. So the store stops writing
// before Badger can fault, as etcd refuses writes past its backend quota (the NOSPACE alarm) and Elasticsearch
// blocks writes at its flood-stage disk watermark:
//
//   - A watermark (Watermark) is sized from the store's Badger options: what Badger may still write once writes
//     stop (the rest of its log, the flush of that memtable, a compaction).
//   - The free space is probed every second and, in the committer, whenever the bytes written since the last
//     probe reach a quarter of a memtable, so a probe runs before each new memtable (and its flush) is needed;
//     never once per request. Below the watermark every write fails with store.ErrUnavailable (503 with
//     Retry-After), reads go on.
//   - A ballast file of the watermark's size is kept in the data directory, its blocks allocated (fallocate), and
//     is deleted when the watermark trips: whatever else filled the disk, Badger then has room to finish its
//     flush, its compactions and Close.
//   - Writes resume by themselves, as Elasticsearch releases its block (7.4 and later), once the free space is
//     the watermark plus a hysteresis of one memtable plus the ballast's size: the ballast is made again first.

// BallastFile is the name of the ballast file in the data directory.
const BallastFile = "ballast"

// probeInterval is the period of the background free-space probe.
const probeInterval = time.Second

// Watermark is the free space, in bytes, below which a store opened with o refuses writes (and the size of its
// ballast file): one write-ahead log (a memtable and the one write batch that may overrun it, at most 15% of
// it), the level-0 table its flush writes (Badger sizes those as a memtable), and one level 0 → base level
// compaction, which rewrites every level-0 table (NumLevelZeroTables of them when it is due; tokens have
// random keys, so they all overlap) with the base level (BaseLevelSize) before it deletes its inputs.
func Watermark(o Options) uint64 {
	return watermark(badgerOptions(o, slog.New(slog.NewTextHandler(io.Discard, nil))))
}

// watermark is Watermark on Badger's options.
func watermark(bo bdg.Options) uint64 {
	wal := bo.MemTableSize + 15*bo.MemTableSize/100 // Badger's cap on one write batch (db.go, maxBatchSize)
	l0 := bo.MemTableSize                           // Badger's level-0 table size (levels.go, fileSz[0])
	compaction := int64(bo.NumLevelZeroTables)*bo.MemTableSize + bo.BaseLevelSize
	return uint64(wal + l0 + compaction)
}

// guard is the disk-full guard of one store; nil for an in-memory store (every method is then a no-op).
type guard struct {
	dir     string
	free    func(dir string) (uint64, error)
	mark    uint64 // refuse writes below this much free space
	margin  uint64 // hysteresis: resume at mark+margin (plus the ballast's size when it is to be made)
	ballast string // path of the ballast file; its size is mark
	every   int64  // bytes written between two probes of the committer
	log     *slog.Logger

	refusal  atomic.Pointer[error] // nil while writes are accepted
	written  atomic.Int64          // bytes written since the last probe
	lastFree atomic.Uint64         // the free space at the last probe, for Stats

	mu         sync.Mutex // serializes probes; guards the fields below
	hasBallast bool
	lastErr    string // the last probe or ballast error logged, so a lasting one is logged once
}

// newGuard sizes the guard of a store opened with bo and probes once, before Badger opens, so that a store
// opened on a full disk refuses writes from the start (and Badger has the ballast's room to open).
func newGuard(bo bdg.Options, free func(string) (uint64, error), log *slog.Logger) (*guard, error) {
	if free == nil {
		free = statfsFree
	}
	g := &guard{dir: bo.Dir, free: free, mark: watermark(bo), margin: uint64(bo.MemTableSize),
		ballast: filepath.Join(bo.Dir, BallastFile), every: bo.MemTableSize / 4, log: log}
	if err := os.MkdirAll(bo.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("badger: %w", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hasBallast = g.ballastOK()
	avail, err := g.free(g.dir)
	if err != nil {
		return nil, fmt.Errorf("badger: free space of %s: %w", g.dir, err)
	}
	g.lastFree.Store(avail)
	// With its ballast in place the store was not refusing writes when it closed: the watermark alone decides.
	// Without, it may have been (or it is new): it needs what resuming needs, hysteresis and ballast included.
	need := g.mark
	if !g.hasBallast {
		need = g.resumeAt()
	}
	if avail >= need {
		if g.hasBallast {
			return g, nil
		}
		err := g.makeBallast()
		if err == nil {
			return g, nil
		}
		g.logOnce("cannot make the ballast file; writes stay refused", err)
	}
	g.trip(avail)
	return g, nil
}

// admit is nil while writes are accepted, else why not (wrapping store.ErrUnavailable). One atomic load.
func (g *guard) admit() error {
	if g == nil {
		return nil
	}
	if r := g.refusal.Load(); r != nil {
		return *r
	}
	return nil
}

// wrote counts n bytes committed and probes once a quarter of a memtable has been written since the last probe.
func (g *guard) wrote(n int64) {
	if g != nil && g.written.Add(n) >= g.every {
		g.probe()
	}
}

// probe reads the free space and trips or clears the guard.
func (g *guard) probe() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.written.Store(0)
	avail, err := g.free(g.dir)
	if err != nil {
		g.logOnce("cannot read the free space of the data directory", err)
		return
	}
	g.lastFree.Store(avail)
	refused := g.refusal.Load() != nil
	switch {
	case !refused && avail < g.mark:
		g.trip(avail)
	case refused && avail >= g.resumeAt():
		if !g.hasBallast {
			if err := g.makeBallast(); err != nil {
				g.logOnce("cannot make the ballast file again; writes stay refused", err)
				return
			}
		}
		g.lastErr = ""
		g.refusal.Store(nil)
		g.log.Info("free space is above the watermark again: accepting writes again", "dir", g.dir,
			"free_mib", avail>>20, "watermark_mib", g.mark>>20, "ballast_mib", g.mark>>20)
	}
}

// resumeAt is the free space at which writes resume: the watermark, the hysteresis, and room for the ballast.
func (g *guard) resumeAt() uint64 {
	at := g.mark + g.margin
	if !g.hasBallast {
		at += g.mark
	}
	return at
}

// trip refuses writes from now on and releases the ballast, so Badger has room to finish what it started.
func (g *guard) trip(avail uint64) {
	err := fmt.Errorf("writes refused: the data directory's filesystem is nearly full (%d MiB free, below the %d MiB watermark): %w",
		avail>>20, g.mark>>20, store.ErrUnavailable)
	g.refusal.Store(&err)
	released := "none"
	if g.hasBallast {
		if rerr := os.Remove(g.ballast); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			g.log.Error("cannot release the ballast file", "err", rerr, "path", g.ballast)
		} else {
			released = fmt.Sprintf("%d MiB", g.mark>>20)
		}
		g.hasBallast = false
	}
	g.log.Error("free space is below the watermark: refusing writes until it returns (reads go on)", "dir", g.dir,
		"free_mib", avail>>20, "watermark_mib", g.mark>>20, "ballast_released", released)
}

// logOnce logs err at warning level unless it is the one logged last.
func (g *guard) logOnce(msg string, err error) {
	if err.Error() != g.lastErr {
		g.lastErr = err.Error()
		g.log.Warn(msg, "err", err, "dir", g.dir)
	}
}

// loop probes every probeInterval until stop is closed.
func (g *guard) loop(stop <-chan struct{}, done *sync.WaitGroup) {
	defer done.Done()
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			g.probe()
		}
	}
}

// Writable is nil while the store accepts writes, else why it refuses them (wrapping store.ErrUnavailable): the
// free space of its data directory is below the watermark. For readiness probes; one atomic load.
func (s *Store) Writable() error { return s.space.admit() }
