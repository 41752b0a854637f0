package policy

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
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
}

// ManagerOptions configure the policies of one host.
type ManagerOptions struct {
	Options
	Engines  map[string]Engine // by kind; shared by every host, closed by their owner
	Bindings []Binding
	Debounce time.Duration // wait for a burst of file events to settle before reloading (default 200 ms)
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

	stale staleSet // plugins whose last reload failed (stale.go)
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
	for _, b := range opts.Bindings {
		code, err := os.ReadFile(b.Path)
		if err == nil {
			var l *loaded
			if l, err = m.load(ctx, b, code); err == nil {
				m.current = append(m.current, l)
				continue
			}
		}
		for _, l := range m.current {
			_ = l.plugin.Close(ctx)
		}
		return nil, fmt.Errorf("policy %s: %w", b.Name, err)
	}
	m.chain.cur.Store(m.chain.newSnapshot(m.current))
	return m, nil
}

// Chain is the host's policy, for the core to call. It stays the same object across reloads.
func (m *Manager) Chain() *Chain { return m.chain }

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
// keeps its previous version; the errors are logged and returned together. Unchanged files are not reloaded.
func (m *Manager) Reload(ctx context.Context) error {
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
		if err == nil && sha256.Sum256(code) == m.current[i].sum {
			m.stale.set(b.Name, false) // the file is back to the version that runs
			continue
		}
		start := time.Now()
		var l *loaded
		if err == nil {
			l, err = m.load(ctx, b, code)
		}
		if err != nil {
			log.Error("policy reload failed; the previous version stays", "host", m.opts.Host, "plugin", b.Name,
				"path", b.Path, "err", err)
			errs = append(errs, fmt.Errorf("policy %s: %w", b.Name, err))
			m.stale.set(b.Name, true)
			continue
		}
		log.Info("policy reloaded", "host", m.opts.Host, "plugin", b.Name, "path", b.Path, "hooks", l.hooks,
			"duration", time.Since(start))
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
