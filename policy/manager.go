package policy

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Binding is one configured plugin of a host: a `policies` entry of the configuration, resolved.
type Binding struct {
	Name string
	Kind string // engine kind: "lua" or "wasm" (the key that named the file)
	Path string // the plugin file, watched for changes
	// Hooks are the hooks to bind; empty: every hook the plugin exports. A hook listed that the plugin does not
	// export refuses the plugin.
	Hooks   []string
	Config  map[string]any // handed to init
	Limits  Limits
	OnError map[string]string // per hook; missing: DefaultOnError
	Isolate bool              // Source.Isolate (config isolate_calls)
	// OnLoadError is what NewManager does when the file cannot be loaded: OnLoadErrorFail (also "") refuses
	// the host, OnLoadErrorKeepLastGood runs the last good version kept in CacheDir and marks the plugin stale.
	OnLoadError string
}

// ManagerOptions configure the policies of one host.
type ManagerOptions struct {
	Options
	Engines  map[string]Engine // by kind; shared by every host, closed by their owner
	Bindings []Binding
	Debounce time.Duration // wait for a burst of file events to settle before reloading (default 200 ms)
	// CacheDir is where the last good version of each plugin is kept (data_dir/policy-cache/<host>): written
	// after every successful load, read at start by a binding with OnLoadErrorKeepLastGood whose file fails.
	// Empty: nothing is kept, and keep_last_good has nothing to fall back on.
	CacheDir string
	// ReadOnlyCache reads the last good versions in CacheDir but never writes one (`assentry config check`,
	// which writes nothing).
	ReadOnlyCache bool
}

// Manager loads the plugins of one host into a Chain and reloads them when their files change (Watch) or when
// asked (Reload, on SIGHUP). A new version is compiled, checked, initialised and pre-warmed by its engine before
// it is swapped in atomically; if that fails, the previous version stays and the error is logged. Calls already
// running finish on the version they started with, which is closed once they are done.
type Manager struct {
	opts  ManagerOptions
	chain *Chain

	mu      sync.Mutex // serialises loads and Close
	current []*loaded  // by binding
	closed  bool

	watchMu   sync.Mutex
	stopWatch context.CancelFunc
	watchDone chan struct{}

	stale  staleSet            // plugins whose file failed to load (stale.go)
	kept   []KeptStart         // the plugins NewManager started on their last good version, in binding order
	failed map[string][32]byte // by plugin: the content of its file that failed last, to log a failure once
	watch  watchStats          // what the watcher did (watch.go)
	// newDebounce, when set (by tests, before Watch), makes the watcher's debounce timer.
	newDebounce func() debounce
}

// NewManager loads every binding (an error in any refuses the whole host: a configuration problem is reported at
// start, not at the first request) and builds the chain.
func NewManager(ctx context.Context, opts ManagerOptions) (*Manager, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = 200 * time.Millisecond
	}
	m := &Manager{opts: opts, chain: newChain(opts.Options)}
	for i, b := range opts.Bindings {
		switch {
		case b.Name == "":
			return nil, fmt.Errorf("policies[%d]: a binding needs a name", i)
		case slices.IndexFunc(opts.Bindings, func(o Binding) bool { return o.Name == b.Name }) < i:
			return nil, fmt.Errorf("policy %s: the name is used twice", b.Name)
		case opts.Engines[b.Kind] == nil:
			return nil, fmt.Errorf("policy %s: no %q engine", b.Name, b.Kind)
		}
	}
	m.failed = map[string][32]byte{}
	for _, b := range opts.Bindings {
		l, err := m.loadFile(ctx, b)
		if err != nil && b.OnLoadError == OnLoadErrorKeepLastGood {
			l, err = m.loadLastGood(ctx, b, err)
		}
		if err != nil {
			for _, l := range m.current {
				_ = l.plugin.Close(ctx)
			}
			return nil, fmt.Errorf("policy %s: %w", b.Name, err)
		}
		m.current = append(m.current, l)
	}
	m.chain.cur.Store(m.chain.newSnapshot(m.current))
	return m, nil
}

// Chain is the host's policy, for the core to call. It stays the same object across reloads.
func (m *Manager) Chain() *Chain { return m.chain }

// loadFile reads b's file and loads it; the version that loads is kept as b's last good one, and the content
// of a file that does not is remembered in failed.
func (m *Manager) loadFile(ctx context.Context, b Binding) (*loaded, error) {
	code, err := os.ReadFile(b.Path)
	if err != nil {
		return nil, err
	}
	return m.loadCode(ctx, b, code)
}

// loadCode is loadFile on code already read from b's file.
func (m *Manager) loadCode(ctx context.Context, b Binding, code []byte) (*loaded, error) {
	l, err := m.load(ctx, b, code)
	if err != nil {
		m.failed[b.Name] = sha256.Sum256(code)
		return nil, err
	}
	delete(m.failed, b.Name)
	m.saveLastGood(b, code)
	return l, nil
}

// loadLastGood loads b's last good version (on_load_error keep_last_good) after its file failed with loadErr,
// and marks b stale: the host runs, but not what the file says, which it logs at error.
func (m *Manager) loadLastGood(ctx context.Context, b Binding, loadErr error) (*loaded, error) {
	lg, err := m.readLastGood(b)
	if err != nil {
		return nil, fmt.Errorf("%w (on_load_error keep_last_good: no last good version: %v)", loadErr, err)
	}
	kept := b
	kept.Config = lg.Config // the config that version was initialised with
	l, err := m.load(ctx, kept, lg.Code)
	if err != nil {
		return nil, fmt.Errorf("%w (on_load_error keep_last_good: the last good version fails too: %v)", loadErr, err)
	}
	m.chain.opts.Log.Error("policy failed to load; running its last good version, which is stale", "plugin", b.Name,
		"path", b.Path, "err", loadErr, "last_good_saved_at", lg.SavedAt, "last_good_sha256", lg.SHA256)
	m.stale.set(b.Name, true)
	m.kept = append(m.kept, KeptStart{Plugin: b.Name, Err: loadErr, SavedAt: lg.SavedAt,
		File: filepath.Join(m.cacheDir(b), lastGoodFile)})
	// No file content is this version (its config may differ too): the next reload of a readable file loads it.
	l.sum = [32]byte{}
	return l, nil
}

// load compiles, checks, initialises and pre-warms one version of a binding.
func (m *Manager) load(ctx context.Context, b Binding, code []byte) (*loaded, error) {
	p, err := m.opts.Engines[b.Kind].Load(ctx, Source{Name: b.Name, Path: b.Path, Code: code, Config: b.Config,
		Host: m.opts.Host, Limits: b.Limits, Isolate: b.Isolate})
	if err != nil {
		return nil, err
	}
	hooks, err := boundHooks(b.Name, p.Hooks(), b.Hooks)
	if err != nil {
		_ = p.Close(ctx)
		return nil, err
	}
	return &loaded{name: b.Name, plugin: p, hooks: hooks, onError: b.OnError, sum: sha256.Sum256(code)}, nil
}

// Reload re-reads every plugin file and swaps in those that changed. A plugin that cannot be read or loaded
// keeps its previous version and is stale; every such failure is logged at error and they are returned
// together. Unchanged files are not reloaded.
func (m *Manager) Reload(ctx context.Context) error { return m.reload(ctx, false) }

// reload is Reload; fromWatch (a reload the file watcher asked for) skips a file whose content already failed
// and was logged, so that a broken plugin is logged once per change of its file.
func (m *Manager) reload(ctx context.Context, fromWatch bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("policy: the manager is closed")
	}
	log := m.chain.opts.Log
	next := slices.Clone(m.current)
	var errs []error
	changed := false
	for i, b := range m.opts.Bindings {
		code, err := os.ReadFile(b.Path)
		if err == nil {
			sum := sha256.Sum256(code)
			if sum == m.current[i].sum {
				m.stale.set(b.Name, false) // the file is back to the version that runs
				delete(m.failed, b.Name)
				continue
			}
			if fromWatch && m.failed[b.Name] == sum {
				continue // this content failed already, and was logged
			}
		}
		start := time.Now()
		var l *loaded
		if err == nil {
			l, err = m.loadCode(ctx, b, code)
		}
		if err != nil {
			log.Error("policy reload failed; the previous version stays", "plugin", b.Name, "path", b.Path, "err", err)
			errs = append(errs, fmt.Errorf("policy %s: %w", b.Name, err))
			m.stale.set(b.Name, true)
			continue
		}
		log.Info("policy reloaded", "plugin", b.Name, "path", b.Path, "hooks", l.hooks,
			"duration_ms", millis(time.Since(start)))
		next[i], changed = l, true
		m.stale.set(b.Name, false)
	}
	if changed {
		m.current = next
		m.chain.swap(m.chain.newSnapshot(next))
	}
	return errors.Join(errs...)
}

// Close stops watching and closes the plugins once the calls running on them are done.
func (m *Manager) Close(ctx context.Context) error {
	m.stopWatching()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	return m.chain.Close(ctx)
}
