package badger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	bdg "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/assentry/assentry/store"
)

// ErrLocked is returned by Open when the data directory is held by another process (or another Open in this
// one): Badger allows one writer per directory. The CLI reports it as "data directory in use".
var ErrLocked = errors.New("badger: data directory in use")

// ErrCloseTimeout is returned by Close when the database did not close within Options.CloseTimeout.
var ErrCloseTimeout = errors.New("badger: close did not finish")

// DefaultGCInterval is how often the value-log GC runs when Options.GCInterval is zero.
const DefaultGCInterval = 10 * time.Minute

// DefaultCloseTimeout bounds Close when Options.CloseTimeout is zero. A healthy close writes at most one memtable
// (a few MiB) to a table and syncs it, which takes a small fraction of that even on a slow disk.
const DefaultCloseTimeout = 10 * time.Second

// Memory defaults sized for an authorization server's records (a token or a grant is a few hundred bytes) rather
// than Badger's (a 64 MiB memtable, five of them, a 256 MiB block cache, 2 MiB tables). Badger builds each table
// in memory before writing it, so under sustained writes the memtable and table sizes, not the caches, decide
// the process's memory: with these, ten minutes of full-speed token issuance stay under 200 MiB of anonymous
// memory (16 MiB memtables and 2 MiB tables: near 450 MiB; Badger's defaults: past 1 GiB).
const (
	DefaultMemTableSize   = 8 << 20
	DefaultBlockCacheSize = 32 << 20
	DefaultIndexCacheSize = 16 << 20
	// numMemtables is how many memtables Badger keeps (the one written and one being flushed).
	numMemtables = 2
	// numCompactors is how many compactions run at once; each holds the tables it builds in memory. Two is
	// Badger's minimum (one keeps level 0 moving).
	numCompactors = 2
	// baseTableSize is the size of the tables compaction writes (Badger's default is 2 MiB). Compaction builds
	// them in memory, several at once, so smaller tables keep its peaks lower.
	baseTableSize = 1 << 20
	// valueLogFileSize bounds one value-log file (memory-mapped); records live in the LSM tree anyway.
	valueLogFileSize = 64 << 20
)

// Options configure Open. The zero value plus a Dir is the production setup: durable writes, GC every
// DefaultGCInterval, Badger's default memtable, writes refused while the free space is below Watermark.
type Options struct {
	// Dir is the data directory (created if missing). Required unless InMemory.
	Dir string
	// InMemory keeps everything in memory, for tests that need no durability; Dir must be empty.
	InMemory bool
	// Clock is the time source of every expiry check and of the UsedAt/RevokedAt stamps; nil means time.Now.
	Clock store.Clock
	// NoSync skips the sync of each commit: a crash may then lose acknowledged writes, including revocations.
	// The default (false) is durable: a nil error means the write reached the disk. Badger v4 syncs its memtable
	// WAL once per transaction, so concurrent writes share syncs only through group commit (commit.go).
	NoSync bool
	// Logger receives Badger's own messages: errors and warnings as such, its chatty info and debug lines at
	// debug level. Nil means slog.Default().
	Logger *slog.Logger
	// GCInterval is the period of the value-log GC; zero means DefaultGCInterval, negative switches it off.
	GCInterval time.Duration
	// NoGroupCommit runs every write in a transaction of its own, each synced alone, as Badger does by itself
	// (see commit.go). For measurements: group commit is the default.
	NoGroupCommit bool
	// MemTableSize is Badger's memtable size in bytes; zero means DefaultMemTableSize. One transaction holds at
	// most 15% of it, so it also bounds a single revocation write (see Store.bulk) and a group-commit batch (half
	// of that). Badger keeps up to two memtables in anonymous memory.
	MemTableSize int64
	// BlockCacheSize and IndexCacheSize bound Badger's caches of table blocks and indexes (anonymous memory);
	// zero means DefaultBlockCacheSize and DefaultIndexCacheSize.
	BlockCacheSize int64
	IndexCacheSize int64
	// CloseTimeout bounds Close; zero (or negative) means DefaultCloseTimeout. Badger's own Close flushes the
	// memtable to a table and retries a failing flush once a second for ever, so without a bound a process whose
	// data directory became unwritable could never stop.
	CloseTimeout time.Duration
	// FreeSpace returns the bytes available to the store on dir's filesystem; nil means statfs(2). Tests inject
	// it to play a full disk (see space.go).
	FreeSpace func(dir string) (uint64, error)
	// Version is the assentry release that backups name in their header (backup.go); empty is "unknown".
	Version string
	// Observer, when set, is told of every read and write and of every commit (metrics); see Observer.
	Observer Observer
	// ReadOnly opens an existing store for reading only (`assentry config check`): Badger takes a shared lock
	// (so a serving process, which holds the exclusive one, makes Open fail with ErrLocked), writes no file, and
	// every write is refused; no GC, free-space probe or committer runs, and a store without a format stamp is
	// left unstamped.
	ReadOnly bool
}

// Store is the Badger backend of store.Store. It is safe for concurrent use; Close releases the directory.
type Store struct {
	db    *bdg.DB
	clock store.Clock
	log   *slog.Logger

	mu     sync.RWMutex // held for reading by every operation, for writing by Close
	closed bool

	noSync       bool
	version      string // written in backup headers
	closeTimeout time.Duration
	closeOnce    sync.Once
	closeDone    chan struct{} // closed when the close started by the first Close has returned
	closeErr     error         // its outcome, set before closeDone is closed

	stop     chan struct{}  // closed by Close to stop the GC loop and the free-space probe
	bg       sync.WaitGroup // the GC loop and the free-space probe
	stopOnce sync.Once

	space *guard // the disk-full guard (space.go); nil in memory

	queue     chan *op      // writes for the committer (commit.go); nil without group commit
	committed chan struct{} // closed when the committer has stopped
	stats     stats

	// commitHook is a seam for tests only: when set, every write transaction is committed through it instead of
	// tx.Commit, so a test can watch commits or make them fail. Set it right after Open, before any write.
	commitHook func(tx *bdg.Txn) error

	observer Observer // nil: nobody is told

	instances instances // the announcements of the one process that has the store open (instances.go)
}

var _ store.Store = (*Store)(nil)

// Open opens (or creates) the database described by o and starts its GC loop and its free-space probe. On a
// disk already below the watermark it opens all the same, refusing writes until space returns (space.go). An
// empty database is stamped with CurrentFormat; one of a newer format is refused with a *store.FormatError
// (format.go).
func Open(ctx context.Context, o Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.InMemory == (o.Dir != "") {
		return nil, errors.New("badger: set exactly one of Options.Dir and Options.InMemory")
	}
	s := &Store{clock: o.Clock, log: o.Logger, stop: make(chan struct{}), noSync: o.NoSync,
		version: o.Version, closeTimeout: o.CloseTimeout, closeDone: make(chan struct{}), observer: o.Observer}
	if s.closeTimeout <= 0 {
		s.closeTimeout = DefaultCloseTimeout
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	bo := badgerOptions(o, s.log)
	if o.ReadOnly {
		if o.InMemory {
			return nil, errors.New("badger: Options.ReadOnly needs a Dir")
		}
		return openReadOnly(s, bo)
	}
	if !o.InMemory {
		g, err := newGuard(bo, o.FreeSpace, s.log)
		if err != nil {
			return nil, err
		}
		s.space = g
	}
	db, err := bdg.Open(bo)
	if err != nil {
		if strings.Contains(err.Error(), "Another process is using this Badger database") {
			return nil, fmt.Errorf("%w: %s (%v)", ErrLocked, o.Dir, err)
		}
		return nil, fmt.Errorf("badger: open %s: %w", o.Dir, err)
	}
	if err := checkFormat(db, "the data directory "+o.Dir); err != nil {
		_ = db.Close()
		return nil, err
	}
	s.db = db
	if !o.NoGroupCommit {
		s.queue, s.committed = make(chan *op, maxBatchOps), make(chan struct{})
		go s.committer()
	}
	interval := o.GCInterval
	if interval == 0 {
		interval = DefaultGCInterval
	}
	if interval > 0 && !o.InMemory {
		s.bg.Add(1)
		go s.gcLoop(interval)
	}
	if s.space != nil {
		s.bg.Add(1)
		go s.space.loop(s.stop, &s.bg)
	}
	return s, nil
}

// badgerOptions are the Badger options of o: durable unless NoSync, sized by the memory defaults above.
func badgerOptions(o Options, log *slog.Logger) bdg.Options {
	bo := bdg.DefaultOptions(o.Dir).
		WithInMemory(o.InMemory).
		WithSyncWrites(!o.NoSync).
		WithLogger(logger{log.With("component", "badger")}).
		WithNumMemtables(numMemtables).
		WithNumCompactors(numCompactors).
		WithCompression(options.None).
		WithBaseTableSize(baseTableSize).
		WithBlockCacheSize(orDefault(o.BlockCacheSize, DefaultBlockCacheSize)).
		WithIndexCacheSize(orDefault(o.IndexCacheSize, DefaultIndexCacheSize))
	if !o.InMemory {
		bo = bo.WithValueLogFileSize(valueLogFileSize)
	}
	// Every level's tables are baseTableSize (Badger doubles them per level by default, and compaction builds
	// them in memory, so deeper levels, as the data grows, would need ever larger builders).
	bo.TableSizeMultiplier = 1
	mt := orDefault(o.MemTableSize, DefaultMemTableSize)
	// Badger refuses a value threshold above the transaction cap; our records are small anyway.
	return bo.WithMemTableSize(mt).WithValueThreshold(min(bo.ValueThreshold, mt*15/100/4))
}

// orDefault is v, or def when v is not positive.
func orDefault(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}

// Close stops the GC loop and the free-space probe, waits for running operations and closes the database, within CloseTimeout. Every other
// method returns store.ErrClosed once the running operations have finished. When the close does not finish in time
// (Badger retries a failing memtable flush for ever: a removed or unwritable data directory, a failing disk), Close
// returns an error wrapping ErrCloseTimeout and leaves that close running, so the process can exit. Nothing
// acknowledged rests on the unfinished flush: with synchronous writes every acknowledged write is in Badger's
// write-ahead log, which the next Open replays. Close is idempotent: a later call waits again, within CloseTimeout,
// for the same close and returns its outcome.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		go func() {
			s.closeErr = s.close()
			close(s.closeDone)
		}()
	})
	t := time.NewTimer(s.closeTimeout)
	defer t.Stop()
	select {
	case <-s.closeDone:
		return s.closeErr
	case <-t.C:
		if s.noSync {
			return fmt.Errorf("%w in %s: the data directory may be unwritable; writes since the last sync may be lost (NoSync)",
				ErrCloseTimeout, s.closeTimeout)
		}
		return fmt.Errorf("%w in %s: the data directory may be unwritable; unsynced writes were never acknowledged",
			ErrCloseTimeout, s.closeTimeout)
	}
}

// close is Close without its bound: it runs once, and may never return when Badger cannot flush.
func (s *Store) close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	s.bg.Wait()
	s.mu.Lock()
	s.closed = true
	if s.queue != nil {
		// Every write holds the read lock until answered, so the queue is empty: stop the committer.
		close(s.queue)
		<-s.committed
	}
	// No operation is running and every later one sees closed: Badger's Close, which may hang, runs unlocked, so
	// an operation begun meanwhile gets ErrClosed instead of waiting for it.
	s.mu.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("badger: close: %w", err)
	}
	return nil
}

// enter admits one operation: ErrClosed after Close, ctx's error when it is done. release must be called.
func (s *Store) enter(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, store.ErrClosed
	}
	return s.mu.RUnlock, nil
}

// gcLoop runs the value-log GC every interval until Close. Expired records are dropped by compaction (their
// Badger TTL); this reclaims the value-log space they leave behind.
func (s *Store) gcLoop(interval time.Duration) {
	defer s.bg.Done()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			if s.space.admit() == nil { // GC rewrites entries: it is a write, and waits for free space too
				s.collect()
			}
		}
	}
}

// collect rewrites value-log files while at least half of one is garbage (Badger's recommended loop).
func (s *Store) collect() {
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		err := s.db.RunValueLogGC(0.5)
		if errors.Is(err, bdg.ErrNoRewrite) || errors.Is(err, bdg.ErrRejected) {
			return
		}
		if err != nil {
			s.log.Warn("badger value-log GC failed", "err", err)
			return
		}
	}
}

// Users returns the user sub-store.
func (s *Store) Users() store.UserStore { return userStore{s} }

// Sessions returns the login-session sub-store.
func (s *Store) Sessions() store.SessionStore { return sessionStore{s} }

// Clients returns the static-client sub-store.
func (s *Store) Clients() store.ClientStore { return clientStore{s} }

// Consents returns the consent sub-store.
func (s *Store) Consents() store.ConsentStore { return consentStore{s} }

// Grants returns the grant sub-store.
func (s *Store) Grants() store.GrantStore { return grantStore{s} }

// Tokens returns the access/refresh token sub-store.
func (s *Store) Tokens() store.TokenStore { return tokenStore{s} }

// Codes returns the authorization-code sub-store.
func (s *Store) Codes() store.CodeStore { return codeStore{s} }

// DeviceCodes returns the RFC 8628 device-code sub-store.
func (s *Store) DeviceCodes() store.DeviceCodeStore { return deviceCodeStore{s} }

// Keys returns the key sub-store.
func (s *Store) Keys() store.KeyStore { return keyStore{s} }

// Interactions returns the authorization-request sub-store.
func (s *Store) Interactions() store.InteractionStore { return interactionStore{s} }

// RevokedClients returns the sub-store of banned registered clients.
func (s *Store) RevokedClients() store.RevokedClientStore { return revokedStore{s} }

// AdminTokens returns the server-wide sub-store of admin API tokens.
func (s *Store) AdminTokens() store.AdminTokenStore { return adminTokenStore{s} }
