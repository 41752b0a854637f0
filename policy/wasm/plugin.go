package wasm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"

	"github.com/assentry/assentry/policy"
)

// ErrClosed is returned by a call to a plugin that was closed (after a reload swapped it out, say).
var ErrClosed = errors.New("wasm plugin is closed")

// hookIndex numbers the hooks of policy.Hooks.
var hookIndex = func() map[string]int {
	m := make(map[string]int, len(policy.Hooks))
	for i, h := range policy.Hooks {
		m[h] = i
	}
	return m
}()

// plugin is one version of a module loaded for one host: its own runtime (so closing it frees everything),
// the compiled module, and a pool of initialised instances.
type plugin struct {
	e         *Engine
	name      string
	host      string
	limits    policy.Limits
	logger    *slog.Logger
	rt        wazero.Runtime
	compiled  wazero.CompiledModule
	shape     shape
	initInput []byte
	isolate   bool     // Source.Isolate: every call starts from the state after init (isolation.go)
	globals   []string // the exports of the module's mutable globals, restored by isolation

	pool      chan *instance // idle instances
	byModule  sync.Map       // api.Module → *instance, for host functions
	refilling atomic.Int32   // replacements being created in the background
	refills   sync.WaitGroup

	mu     sync.RWMutex // calls hold it shared; Close takes it to wait for the calls in flight
	closed atomic.Bool
}

var _ policy.Plugin = (*plugin)(nil)

// newPlugin compiles, checks, initialises and pre-warms src.
func newPlugin(ctx context.Context, e *Engine, src policy.Source) (p *plugin, err error) {
	limits, err := withDefaults(src.Limits)
	if err != nil {
		return nil, err
	}
	p = &plugin{
		e:      e,
		name:   sourceName(src),
		host:   src.Host,
		limits: limits,
		logger: e.opts.logger.With("plugin", sourceName(src), "host", src.Host, "engine", Kind),
		pool:   make(chan *instance, limits.Pool),
	}
	p.initInput, err = json.Marshal(initInput{
		ABI: policy.ABIVersion, Hook: "init", Host: src.Host,
		Plugin: initPlugin{Name: p.name}, Config: nonNil(src.Config),
	})
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	// No WithCloseOnContextDone: the module is instrumented instead (instrument.go, deadline.go), and the page
	// cap is enforced by linearMemory (memory.go).
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(e.cache))
	p.rt = rt
	defer func() {
		if err != nil {
			_ = rt.Close(context.Background())
		}
	}()
	allowed, err := instantiateHostModules(ctx, p.rt, p)
	if err != nil {
		return nil, err
	}
	ins, err := instrument(src.Code)
	if err == nil {
		p.compiled, err = p.rt.CompileModule(ctx, ins.bin)
	}
	if err != nil {
		// An invalid module: wazero's validation of the module as written names the problem best.
		if _, cerr := p.rt.CompileModule(ctx, src.Code); cerr != nil {
			return nil, fmt.Errorf("compile: %w", cerr)
		}
		return nil, fmt.Errorf("instrument: %w", err)
	}
	if p.shape, err = check(p.compiled, src.Code, allowed, limits); err != nil {
		return nil, err
	}
	p.isolate, p.globals = src.Isolate, ins.globals
	switch {
	case p.isolate && ins.opaque > 0:
		return nil, fmt.Errorf("isolate_calls: the module has %d mutable globals of a type the host cannot restore "+
			"(v128 or references)", ins.opaque)
	case p.isolate && ins.tableWrites > 0:
		return nil, fmt.Errorf("isolate_calls: the module changes tables or drops segments (%d instructions: "+
			"table.set, table.grow, table.fill, table.copy, table.init, elem.drop, data.drop), state the host cannot "+
			"restore", ins.tableWrites)
	}
	// The first instance checks the ABI version and runs init: its errors refuse the plugin (docs/policy-abi.md,
	// "WebAssembly binding" and "init").
	first, err := p.newInstance(ctx, true)
	if err != nil {
		return nil, err
	}
	p.pool <- first
	if err := p.prewarm(ctx, limits.Pool-1); err != nil {
		p.drain()
		return nil, err
	}
	return p, nil
}

// initInput is the input of assentry_init: the envelope, the plugin's name and its host's config.
type initInput struct {
	ABI    int            `json:"abi"`
	Hook   string         `json:"hook"`
	Host   string         `json:"host"`
	Plugin initPlugin     `json:"plugin"`
	Config map[string]any `json:"config"`
}

type initPlugin struct {
	Name string `json:"name"`
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// prewarm creates n more instances, a few at a time, into the pool.
func (p *plugin) prewarm(ctx context.Context, n int) error {
	if n <= 0 {
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			in, err := p.newInstance(ctx, false)
			if err != nil {
				errs[i] = err
				return
			}
			p.pool <- in // room for Pool instances, and only Pool are made here
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Hooks implements policy.Plugin.
func (p *plugin) Hooks() []string { return append([]string(nil), p.shape.hooks...) }

// Call implements policy.Plugin: one guest call of assentry_<hook> on a pooled instance, within the
// plugin's deadline. A failure discards the instance and a replacement is made in the background.
func (p *plugin) Call(ctx context.Context, hook string, input []byte) ([]byte, error) {
	i, ok := hookIndex[hook]
	if !ok {
		return nil, fmt.Errorf("wasm plugin %s: unknown hook %q", p.name, hook)
	}
	if len(input) > p.limits.MaxInputBytes {
		return nil, &policy.Failure{Plugin: p.name, Hook: hook, Kind: policy.FailInput,
			Err: fmt.Errorf("input of %d bytes is over the limit of %d", len(input), p.limits.MaxInputBytes)}
	}
	if err := ctx.Err(); err != nil {
		return nil, &policy.Failure{Plugin: p.name, Hook: hook, Kind: policy.FailDeadline, Err: err}
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed.Load() {
		return nil, ErrClosed
	}
	in, err := p.get(ctx)
	if err != nil {
		return nil, err
	}
	fn := in.hooks[i]
	if fn == nil {
		p.put(in)
		return nil, fmt.Errorf("wasm plugin %s does not export %s", p.name, hookExport(hook))
	}
	disarm := in.arm(ctx, p.limits.Timeout)
	out, err := in.call(ctx, fn, hook, input, p.limits.MaxOutputBytes)
	expired := disarm()
	if err != nil {
		var f *policy.Failure
		if errors.As(err, &f) && f.Kind == policy.FailDeadline && errors.Is(f.Err, context.DeadlineExceeded) {
			f.Err = fmt.Errorf("no answer within %s: %w", p.limits.Timeout, f.Err)
		}
		in.close()
		p.refill()
		p.logger.WarnContext(ctx, "wasm plugin failed; instance discarded", "hook", hook, "err", err)
		if t := (*trapError)(nil); errors.As(err, &t) {
			p.logger.DebugContext(ctx, "wasm plugin trap", "hook", hook, "trace", t.err.Error())
		}
		return nil, err
	}
	if expired || (in.snap != nil && !in.rewind()) {
		// It answered as the deadline struck, or it grew its memory under isolation: the answer stands, the
		// instance does not.
		in.close()
		p.refill()
		return out, nil
	}
	p.put(in)
	return out, nil
}

// get takes an idle instance, or creates one when every instance is busy.
func (p *plugin) get(ctx context.Context) (*instance, error) {
	select {
	case in := <-p.pool:
		return in, nil
	default:
		return p.newInstance(ctx, false)
	}
}

// put returns an instance to the pool, or discards it when the pool is full.
func (p *plugin) put(in *instance) {
	select {
	case p.pool <- in:
	default:
		in.close()
	}
}

// refill replaces a discarded instance in the background, so the next call finds a warm one.
func (p *plugin) refill() {
	if p.refilling.Add(1) > int32(p.limits.Pool) {
		p.refilling.Add(-1)
		return
	}
	p.refills.Add(1)
	go func() {
		defer p.refills.Done()
		defer p.refilling.Add(-1)
		p.mu.RLock()
		defer p.mu.RUnlock()
		if p.closed.Load() || len(p.pool) == cap(p.pool) {
			return
		}
		in, err := p.newInstance(context.Background(), false)
		if err != nil {
			p.logger.Warn("wasm plugin: replacing a discarded instance failed", "err", err)
			return
		}
		p.put(in)
	}()
}

// Close implements policy.Plugin: it waits for the calls in flight (each bounded by its deadline), then
// frees every instance and the runtime. Later calls get ErrClosed.
func (p *plugin) Close(ctx context.Context) error {
	if !p.closed.CompareAndSwap(false, true) {
		return nil
	}
	p.mu.Lock() // no call is in flight once this is held
	p.mu.Unlock()
	p.refills.Wait()
	p.drain()
	p.e.forget(p)
	return p.rt.Close(ctx)
}

// drain discards the idle instances.
func (p *plugin) drain() {
	for {
		select {
		case in := <-p.pool:
			in.close()
		default:
			return
		}
	}
}
