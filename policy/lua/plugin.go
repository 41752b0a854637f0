package lua

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/assentry/assentry/policy"
	glua "github.com/yuin/gopher-lua"
)

// plugin is one loaded version of a Lua plugin for one host: the compiled chunk and a pool of ready states.
type plugin struct {
	engine    *Engine
	name      string // binding name, for failures and logs
	chunkName string // file name, in Lua error positions
	proto     *glua.FunctionProto
	config    map[string]any
	host      string
	limits    policy.Limits
	exports   []string

	mu     sync.Mutex
	idle   []*state // LIFO: the most recently used state is the warmest
	closed bool
}

var _ policy.Plugin = (*plugin)(nil)

// Hooks lists the hooks the plugin's table defines.
func (p *plugin) Hooks() []string { return p.exports }

// Call runs one hook on a pooled state (a new one when all are busy). A state whose call failed is closed.
func (p *plugin) Call(ctx context.Context, hook string, input []byte) ([]byte, error) {
	if len(input) > p.limits.MaxInputBytes {
		return nil, &policy.Failure{Plugin: p.name, Hook: hook, Kind: policy.FailInput,
			Err: fmt.Errorf("%d bytes, more than max_input_bytes %d", len(input), p.limits.MaxInputBytes)}
	}
	i := policy.HookIndex(hook)
	if i < 0 || !contains(p.exports, hook) {
		return nil, fmt.Errorf("policy %s: the plugin does not export %q", p.name, hook)
	}
	s, err := p.get(ctx, hook)
	if err != nil {
		return nil, err
	}
	out, err := s.call(ctx, i, hook, input)
	if err != nil {
		s.close()
		return nil, err
	}
	p.put(s)
	return out, nil
}

// get takes an idle state or makes a new one.
func (p *plugin) get(ctx context.Context, hook string) (*state, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("policy " + p.name + ": the plugin is closed")
	}
	if n := len(p.idle); n > 0 {
		s := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return s, nil
	}
	p.mu.Unlock()
	s, err := p.newState(ctx)
	if err != nil {
		var f *policy.Failure
		if errors.As(err, &f) {
			f.Hook = hook
			return nil, f
		}
		return nil, &policy.Failure{Plugin: p.name, Hook: hook, Kind: policy.FailError, Err: err}
	}
	return s, nil
}

// put returns a healthy state to the pool, or closes it when the pool is full or the plugin closed.
func (p *plugin) put(s *state) {
	p.mu.Lock()
	if !p.closed && len(p.idle) < p.limits.Pool {
		p.idle = append(p.idle, s)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	s.close()
}

// Close closes the idle states; a state still running a call is closed when it is returned.
func (p *plugin) Close(context.Context) error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, s := range idle {
		s.close()
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
