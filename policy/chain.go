package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure the chain of one host.
type Options struct {
	Host    string  // the host id, put in every envelope
	Builtin Builtin // the built-in policy, run first
	// BuiltinPolicy switches the built-in policy per hook (config builtin_policy: hook → on). A hook absent from
	// the map is on.
	BuiltinPolicy map[string]bool
	// Roles is the host's role catalogue: map_roles may add only these roles.
	Roles []string
	// MaxClaims and MaxClaimsBytes cap the claims that map_roles and claims plugins add (count, and size of
	// their JSON); an answer over a cap is an invalid_output failure. Defaults: 32 and 16 KiB.
	MaxClaims      int
	MaxClaimsBytes int
	// Log is the host's logger: it carries the host id already (core/assembly passes a logger With("host")),
	// so the chain's and the Manager's lines name the plugin, not the host again.
	Log *slog.Logger
	Now func() time.Time // the envelope's now; default time.Now
	// Observer, when set, is told of every plugin call (metrics); the built-in policy's calls are not reported.
	Observer Observer
}

// Bound is a loaded plugin bound to hooks.
type Bound struct {
	Name   string
	Plugin Plugin
	// Hooks are the hooks it answers (what it exports ∩ what the configuration binds); empty: every hook it
	// exports.
	Hooks []string
	// OnError is the on_error per hook; a hook missing here gets DefaultOnError.
	OnError map[string]string
}

// Chain runs the built-in policy and the plugins of one host for each hook. Its plugins are an immutable
// snapshot that a Manager swaps atomically on reload; a call runs wholly on the snapshot it started with, and a
// replaced snapshot's plugins are closed once its last call has finished. Safe for concurrent use.
type Chain struct {
	opts    Options
	catalog map[string]bool
	cur     atomic.Pointer[snapshot]
	closing sync.WaitGroup // plugin closes in flight
}

// NewChain builds a chain over plugins already loaded; it owns them from now on (Close closes them). A Manager
// builds its chain the same way and swaps in new plugins on reload.
func NewChain(opts Options, plugins ...Bound) (*Chain, error) {
	c := newChain(opts)
	var ls []*loaded
	for _, b := range plugins {
		if b.Name == "" || b.Plugin == nil {
			return nil, errors.New("policy: a bound plugin needs a name and a plugin")
		}
		hooks, err := boundHooks(b.Name, b.Plugin.Hooks(), b.Hooks)
		if err != nil {
			return nil, err
		}
		ls = append(ls, &loaded{name: b.Name, plugin: b.Plugin, hooks: hooks, onError: b.OnError})
	}
	c.cur.Store(c.newSnapshot(ls))
	return c, nil
}

func newChain(opts Options) *Chain {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxClaims <= 0 {
		opts.MaxClaims = 32
	}
	if opts.MaxClaimsBytes <= 0 {
		opts.MaxClaimsBytes = 16 << 10
	}
	c := &Chain{opts: opts, catalog: map[string]bool{}}
	for _, r := range opts.Roles {
		c.catalog[r] = true
	}
	return c
}

// boundHooks returns the hooks a plugin answers: those configured (which it must export), or all it exports.
func boundHooks(name string, exported, configured []string) ([]string, error) {
	if len(configured) == 0 {
		return slices.Clone(exported), nil
	}
	for _, h := range configured {
		if HookIndex(h) < 0 {
			return nil, fmt.Errorf("policy %s: unknown hook %q", name, h)
		}
		if !slices.Contains(exported, h) {
			return nil, fmt.Errorf("policy %s: hooks lists %s, which the plugin does not export (it exports: %v)",
				name, h, exported)
		}
	}
	return slices.Clone(configured), nil
}

// Close closes the current plugins once the calls still running on them are done, and waits for that (or
// for ctx). Hooks must not be called after.
func (c *Chain) Close(ctx context.Context) error {
	s := c.cur.Load()
	if s == nil {
		return nil
	}
	s.retire()
	done := make(chan struct{})
	go func() {
		<-s.done
		c.closing.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Plugins lists the names of the plugins bound to hook, in the order they run (for logs and tests).
func (c *Chain) Plugins(hook string) []string {
	s := c.acquire()
	defer s.release()
	var names []string
	if i := HookIndex(hook); i >= 0 {
		for _, e := range s.hooks[i] {
			names = append(names, e.name)
		}
	}
	return names
}

// loaded is one loaded version of a plugin, shared by the snapshots that hold it; closed when the last lets go.
type loaded struct {
	name    string
	plugin  Plugin
	hooks   []string
	onError map[string]string
	sum     [32]byte // of the code (Manager), to skip reloading an unchanged file
	refs    atomic.Int32
}

// entry is a plugin as one hook of a snapshot sees it.
type entry struct {
	name    string
	plugin  Plugin
	onError string
}

// snapshot is an immutable set of bound plugins with a count of the calls running on it.
type snapshot struct {
	chain    *Chain
	hooks    [5][]*entry // by HookIndex
	all      []*loaded
	inflight atomic.Int64
	retired  atomic.Bool
	once     sync.Once
	done     chan struct{} // closed once its plugins are let go
}

func (c *Chain) newSnapshot(ls []*loaded) *snapshot {
	s := &snapshot{chain: c, all: ls, done: make(chan struct{})}
	for _, l := range ls {
		l.refs.Add(1)
		for _, h := range l.hooks {
			onErr := l.onError[h]
			if onErr == "" {
				onErr = DefaultOnError[h]
			}
			i := HookIndex(h)
			s.hooks[i] = append(s.hooks[i], &entry{name: l.name, plugin: l.plugin, onError: onErr})
		}
	}
	return s
}

// acquire pins the current snapshot for one call. The re-check after counting closes the race with a swap: a
// caller that counted itself on a snapshot already replaced lets go and takes the new one.
func (c *Chain) acquire() *snapshot {
	for {
		s := c.cur.Load()
		s.inflight.Add(1)
		if c.cur.Load() == s {
			return s
		}
		s.release()
	}
}

func (s *snapshot) release() {
	if s.inflight.Add(-1) == 0 && s.retired.Load() {
		s.finish()
	}
}

// retire marks a replaced snapshot: its plugins are let go as soon as no call runs on it.
func (s *snapshot) retire() {
	s.retired.Store(true)
	if s.inflight.Load() == 0 {
		s.finish()
	}
}

func (s *snapshot) finish() {
	s.once.Do(func() {
		for _, l := range s.all {
			s.chain.unref(l)
		}
		close(s.done)
	})
}

// unref lets go of a plugin version; the last holder closes it, off the request path.
func (c *Chain) unref(l *loaded) {
	if l.refs.Add(-1) != 0 {
		return
	}
	c.closing.Add(1)
	go func() {
		defer c.closing.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := l.plugin.Close(ctx); err != nil {
			c.opts.Log.Warn("policy plugin close failed", "plugin", l.name, "err", err)
		}
	}()
}

// swap installs a new snapshot and retires the old one.
func (c *Chain) swap(s *snapshot) {
	if old := c.cur.Swap(s); old != nil {
		old.retire()
	}
}

// builtinOn reports whether the built-in policy runs for hook.
func (c *Chain) builtinOn(hook string) bool {
	on, set := c.opts.BuiltinPolicy[hook]
	return on || !set
}

// fill completes an input's envelope.
func (c *Chain) fill(ctx context.Context, hook string, env *Envelope) {
	env.ABI, env.Hook, env.Host = ABIVersion, hook, c.opts.Host
	if env.RequestID == "" {
		env.RequestID = RequestID(ctx)
	}
	if env.Now == 0 {
		env.Now = c.opts.Now().Unix()
	}
}

// call runs one plugin for hook with the typed input in and returns its decoded decision. A failure (outcome 3)
// or a declared error (outcome 2) is logged and returned; the caller applies e.onError.
func (c *Chain) call(ctx context.Context, e *entry, hook string, in any, requestID string) (any, error) {
	start := time.Now()
	data, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("policy %s: encoding the %s input: %w", e.name, hook, err)
	}
	raw, err := e.plugin.Call(ctx, hook, data)
	var dec any
	if err == nil {
		var pe *PluginError
		dec, pe, err = DecodeOutput(hook, raw)
		switch {
		case err != nil:
			err = &Failure{Plugin: e.name, Hook: hook, Kind: FailOutput, Err: err}
		case pe != nil:
			err = pe
		}
	} else if !IsFailure(err, "") {
		err = &Failure{Plugin: e.name, Hook: hook, Kind: FailError, Err: err}
	}
	if o := c.opts.Observer; o != nil {
		o.PolicyCall(c.opts.Host, e.name, hook, outcome(dec, err), time.Since(start))
	}
	if err != nil {
		level := slog.LevelWarn
		if e.onError == OnErrorFailClosed {
			level = slog.LevelError
		}
		c.opts.Log.Log(ctx, level, "policy plugin failed", "plugin", e.name, "hook", hook,
			"kind", failureKind(err), "on_error", e.onError, "duration_ms", millis(time.Since(start)),
			"request_id", requestID, "err", err)
		return nil, err
	}
	return dec, nil
}

// failClosed is the error of a fail_closed binding.
func failClosed(e *entry, hook string, err error) error {
	return &FailClosedError{Plugin: e.name, Hook: hook, Err: err}
}
