package lua

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/assentry/assentry/policy"
	glua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Kind is the engine kind, the `lua:` key of a policy binding.
const Kind = "lua"

// Options tune the engine; zero values take the defaults.
type Options struct {
	Log *slog.Logger
	// CallStackSize caps Lua call depth (default 200): deep recursion fails with out_of_memory.
	CallStackSize int
	// RegistrySize and RegistryMaxSize bound the value stack, in slots (defaults 1024 and 64 Ki).
	RegistrySize    int
	RegistryMaxSize int
	// MaxStringBytes is the longest string string.rep, gsub and table.concat may build and the longest subject
	// the pattern functions accept (default 1 MiB).
	MaxStringBytes int
	// MaxLogBytes truncates an assentry.log message (default 1 KiB).
	MaxLogBytes int
}

func (o Options) withDefaults() Options {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.CallStackSize <= 0 {
		o.CallStackSize = 200
	}
	if o.RegistrySize <= 0 {
		o.RegistrySize = 1024
	}
	if o.RegistryMaxSize < o.RegistrySize {
		o.RegistryMaxSize = max(64<<10, o.RegistrySize)
	}
	if o.MaxStringBytes <= 0 {
		o.MaxStringBytes = 1 << 20
	}
	if o.MaxLogBytes <= 0 {
		o.MaxLogBytes = 1 << 10
	}
	return o
}

// Engine loads Lua plugins. It holds no resources of its own: each plugin owns its states.
type Engine struct {
	opts Options
}

var _ policy.Engine = (*Engine)(nil)

// New returns a Lua engine.
func New(opts Options) *Engine { return &Engine{opts: opts.withDefaults()} }

// Factory describes the engine for a policy.Registry: kind "lua", files ending in .lua.
func Factory() policy.EngineFactory {
	return policy.EngineFactory{Kind: Kind, Extensions: []string{".lua"}, Open: func(o policy.EngineOptions) (policy.Engine, error) {
		return New(Options{Log: o.Log}), nil
	}}
}

// Kind is "lua".
func (e *Engine) Kind() string { return Kind }

// Close does nothing: plugins are closed one by one.
func (e *Engine) Close(context.Context) error { return nil }

// Load compiles the chunk once, then makes the first state (which runs the chunk, checks the returned table and
// runs init, so that any problem refuses the plugin) and pre-warms the pool with Limits.Pool states.
func (e *Engine) Load(ctx context.Context, src policy.Source) (policy.Plugin, error) {
	name := src.Name
	if src.Path != "" {
		name = filepath.Base(src.Path)
	}
	chunk, err := parse.Parse(bytes.NewReader(src.Code), name)
	if err != nil {
		return nil, fmt.Errorf("%s: syntax error: %w", name, err)
	}
	proto, err := glua.Compile(chunk, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &plugin{engine: e, name: src.Name, chunkName: name, proto: proto, config: src.Config, host: src.Host,
		limits: src.Limits.WithDefaults()}
	if p.name == "" {
		p.name = name
	}
	first, err := p.newState(ctx)
	if err != nil {
		return nil, err
	}
	p.exports = first.exports
	p.idle = append(p.idle, first)
	for range p.limits.Pool - 1 {
		s, err := p.newState(ctx)
		if err != nil {
			_ = p.Close(ctx)
			return nil, err
		}
		p.idle = append(p.idle, s)
	}
	return p, nil
}
