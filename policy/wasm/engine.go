package wasm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/assentry/assentry/policy"
)

// Kind is the engine kind, as in a policy's `wasm:` key.
const Kind = "wasm"

// CacheSubdir is the subdirectory of the cache directory where compiled modules are kept.
const CacheSubdir = "wasm"

// Defaults of the engine options.
const (
	DefaultInitTimeout = 5 * time.Second // _initialize + assentry_init of one instance
	DefaultLogLimit    = 8 << 10         // bytes of guest log output kept per call
)

// Engine is the wazero policy engine. One Engine serves every host; each loaded plugin has its own runtime
// (its memory cap and its instances) and shares the engine's compilation cache.
type Engine struct {
	opts  options
	cache wazero.CompilationCache

	mu      sync.Mutex
	plugins map[*plugin]struct{}
	closed  bool
}

var _ policy.Engine = (*Engine)(nil)

// Option configures New.
type Option func(*options)

type options struct {
	cacheDir    string
	logger      *slog.Logger
	initTimeout time.Duration
	logLimit    int
}

// WithCacheDir keeps compiled modules in a file cache under dir/wasm (the server passes a directory under
// its data_dir), so that a restart, or a reload of an unchanged module, does not compile it again. Without it
// (or with ""), as for the offline `assentry policy` commands, the cache is in memory.
func WithCacheDir(dir string) Option { return func(o *options) { o.cacheDir = dir } }

// WithLogger sets where guest log output (assentry.log, env.abort, stdout, stderr) and engine events go.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithInitTimeout bounds the creation of one instance: instantiation, `_initialize` and `assentry_init`
// (a standard Go guest starts its runtime there). Default DefaultInitTimeout.
func WithInitTimeout(d time.Duration) Option { return func(o *options) { o.initTimeout = d } }

// WithLogLimit caps the guest log output kept per call (and per instance creation), in bytes; what is over
// is dropped with one warning. Default DefaultLogLimit.
func WithLogLimit(n int) Option { return func(o *options) { o.logLimit = n } }

// New returns an engine. With WithCacheDir the cache directory is created if needed.
func New(opts ...Option) (*Engine, error) {
	o := options{logger: slog.Default(), initTimeout: DefaultInitTimeout, logLimit: DefaultLogLimit}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if o.initTimeout <= 0 {
		o.initTimeout = DefaultInitTimeout
	}
	if o.logLimit <= 0 {
		o.logLimit = DefaultLogLimit
	}
	e := &Engine{opts: o, plugins: map[*plugin]struct{}{}}
	if o.cacheDir == "" {
		e.cache = wazero.NewCompilationCache()
		return e, nil
	}
	dir := filepath.Join(o.cacheDir, CacheSubdir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("wasm compilation cache: %w", err)
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wasm compilation cache %s: %w", dir, err)
	}
	e.cache = cache
	return e, nil
}

// Kind implements policy.Engine.
func (e *Engine) Kind() string { return Kind }

// Load implements policy.Engine: it compiles src.Code, checks its exports and imports, creates the first
// instance (which runs `_initialize`, checks assentry_abi_version and runs assentry_init with src.Config),
// then pre-warms the pool to src.Limits.Pool instances. Any error refuses the plugin and says why.
func (e *Engine) Load(ctx context.Context, src policy.Source) (policy.Plugin, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, errors.New("wasm engine is closed")
	}
	p, err := newPlugin(ctx, e, src)
	if f := (*policy.Failure)(nil); errors.As(err, &f) {
		return nil, fmt.Errorf("wasm plugin %s: %s: %s: %w", sourceName(src), f.Hook, f.Kind, f.Err)
	} else if err != nil {
		return nil, fmt.Errorf("wasm plugin %s: %w", sourceName(src), err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		_ = p.Close(ctx)
		return nil, errors.New("wasm engine is closed")
	}
	e.plugins[p] = struct{}{}
	return p, nil
}

// Close implements policy.Engine: it closes the plugins still open, then the compilation cache (the files
// stay on disk for the next start).
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	open := make([]*plugin, 0, len(e.plugins))
	for p := range e.plugins {
		open = append(open, p)
	}
	e.mu.Unlock()
	var errs []error
	for _, p := range open {
		errs = append(errs, p.Close(ctx))
	}
	errs = append(errs, e.cache.Close(ctx))
	return errors.Join(errs...)
}

// forget is called by a plugin's Close.
func (e *Engine) forget(p *plugin) {
	e.mu.Lock()
	delete(e.plugins, p)
	e.mu.Unlock()
}

// Factory describes the engine to policy.Registry: the kind "wasm", files ending in .wasm, and New with the
// registry's logger and cache directory.
func Factory() policy.EngineFactory {
	return policy.EngineFactory{
		Kind:       Kind,
		Extensions: []string{".wasm"},
		Open: func(o policy.EngineOptions) (policy.Engine, error) {
			return New(WithLogger(o.Log), WithCacheDir(o.CacheDir))
		},
	}
}

func sourceName(src policy.Source) string {
	switch {
	case src.Name != "":
		return src.Name
	case src.Path != "":
		return src.Path
	}
	return "(unnamed)"
}
