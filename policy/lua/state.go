package lua

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/policy"
	glua "github.com/yuin/gopher-lua"
)

// state is one sandboxed Lua state of a plugin, serving one call at a time.
type state struct {
	p         *plugin
	L         *glua.LState
	base      *glua.LTable // globals of the chunk and init, read-only once loaded
	baseMT    *glua.LTable // {__index = base}: the metatable of each call's environment
	env       *glua.LTable // the environment every plugin function has (_G): empty, reads and writes through
	proxyMT   *glua.LTable // its metatable, pointing at the running call's environment
	roFn      *glua.LFunction
	protected map[*glua.LTable]bool
	hooks     [5]*glua.LFunction // by policy.HookIndex
	exports   []string
	decoder   jsonDecoder
	matchers  []*matchState // free list of the pattern functions

	// Of the running call:
	hook, requestID string
	refused         string // set when a length-checked builtin refused: the failure is out_of_memory
}

// newState makes a state: sandbox, chunk, checks of the returned table, init. An error refuses the plugin (at
// load) or the call (when the pool grows).
func (p *plugin) newState(ctx context.Context) (*state, error) {
	o := p.engine.opts
	L := glua.NewState(glua.Options{SkipOpenLibs: true, CallStackSize: o.CallStackSize,
		RegistrySize: o.RegistrySize, RegistryMaxSize: o.RegistryMaxSize, RegistryGrowStep: 4096})
	s := &state{p: p, L: L, protected: map[*glua.LTable]bool{}}
	s.sandbox()
	if err := s.load(ctx); err != nil {
		L.Close()
		return nil, err
	}
	return s, nil
}

func (s *state) close() { s.L.Close() }

// load runs the chunk and init with the environment writing into the base, then checks the plugin table.
func (s *state) load(ctx context.Context) error {
	L, p := s.L, s.p
	cctx, cancel := context.WithTimeout(ctx, p.limits.Timeout)
	defer cancel()
	L.SetContext(cctx)
	defer L.RemoveContext()
	s.hook = "load"
	s.proxyMT.RawSetString("__index", s.base)
	s.proxyMT.RawSetString("__newindex", s.base)
	defer s.endCall()

	fn := L.NewFunctionFromProto(p.proto)
	fn.Env = s.env
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return s.failure(cctx, "load", err)
	}
	ret := L.Get(-1)
	L.Pop(1)
	mod, ok := ret.(*glua.LTable)
	if !ok {
		return fmt.Errorf("%s: the file must return a table {abi = %d, <hook> = function(req) ... end}, not a %s",
			p.chunkName, policy.ABIVersion, ret.Type())
	}
	init, err := s.checkModule(mod)
	if err != nil {
		return err
	}
	if init == nil {
		return nil
	}
	cfg, err := s.configTable()
	if err != nil {
		return err
	}
	info := L.NewTable()
	info.RawSetString("name", glua.LString(p.name))
	s.hook = "init"
	L.Push(init)
	L.Push(cfg)
	L.Push(info)
	if err := L.PCall(2, 1, nil); err != nil {
		return fmt.Errorf("init: %w", s.failure(cctx, "init", err))
	}
	res := L.Get(-1)
	L.Pop(1)
	// docs/policy-abi.md, "init": init answers {} or an error, and an error refuses the load.
	if t, ok := res.(*glua.LTable); ok {
		if e, ok := t.RawGetString("error").(*glua.LTable); ok {
			return fmt.Errorf("init refused the plugin: %s: %s", e.RawGetString("code").String(),
				e.RawGetString("description").String())
		}
	}
	return nil
}

// checkModule checks the table the chunk returned: abi = 1, functions for init and hooks, nothing else (a
// misspelt hook would otherwise never run).
func (s *state) checkModule(mod *glua.LTable) (*glua.LFunction, error) {
	var init *glua.LFunction
	var errs []string
	abi := mod.RawGetString("abi")
	if n, ok := abi.(glua.LNumber); !ok || int(n) != policy.ABIVersion {
		errs = append(errs, fmt.Sprintf("abi = %d is required (got %s)", policy.ABIVersion, abi.String()))
	}
	mod.ForEach(func(k, v glua.LValue) {
		key, ok := k.(glua.LString)
		name := string(key)
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("unexpected key %s", k.String()))
		case name == "abi":
		case name == "init" || policy.HookIndex(name) >= 0:
			fn, ok := v.(*glua.LFunction)
			if !ok {
				errs = append(errs, fmt.Sprintf("%s must be a function, not a %s", name, v.Type()))
			} else if name == "init" {
				init = fn
			} else {
				s.hooks[policy.HookIndex(name)] = fn
			}
		default:
			errs = append(errs, fmt.Sprintf("unknown field %q (hooks: %s)", name, strings.Join(policy.Hooks, ", ")))
		}
	})
	for i, h := range policy.Hooks {
		if s.hooks[i] != nil {
			s.exports = append(s.exports, h)
		}
	}
	if len(s.exports) == 0 && len(errs) == 0 {
		errs = append(errs, "it exports no hook")
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return nil, fmt.Errorf("%s: %s", s.p.chunkName, strings.Join(errs, "; "))
	}
	return init, nil
}

// configTable converts the binding's config for init.
func (s *state) configTable() (glua.LValue, error) {
	if s.p.config == nil {
		return s.L.NewTable(), nil
	}
	b, err := json.Marshal(s.p.config)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return s.decoder.decode(s.L, b)
}

// call runs one hook in a fresh environment over the base.
func (s *state) call(ctx context.Context, i int, hook string, input []byte) ([]byte, error) {
	L, p := s.L, s.p
	env := L.CreateTable(0, 0)
	env.Metatable = s.baseMT
	s.proxyMT.RawSetString("__index", env)
	s.proxyMT.RawSetString("__newindex", env)
	s.hook, s.refused = hook, ""
	defer s.endCall()

	req, err := s.decoder.decode(L, input)
	if err != nil {
		return nil, &policy.Failure{Plugin: p.name, Hook: hook, Kind: policy.FailInput, Err: err}
	}
	if t, ok := req.(*glua.LTable); ok {
		if id, ok := t.RawGetString("request_id").(glua.LString); ok {
			s.requestID = string(id)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, p.limits.Timeout)
	defer cancel()
	L.SetContext(cctx)
	L.Push(s.hooks[i])
	L.Push(req)
	err = L.PCall(1, 1, nil)
	L.RemoveContext()
	if err != nil {
		return nil, s.failure(cctx, hook, err)
	}
	ret := L.Get(-1)
	L.Pop(1)
	out, err := encodeOutput(ret, i, p.limits.MaxOutputBytes)
	if err != nil {
		return nil, &policy.Failure{Plugin: p.name, Hook: hook, Kind: policy.FailOutput, Err: err}
	}
	return out, nil
}

// endCall drops the call's environment, so that its data is unreachable between calls.
func (s *state) endCall() {
	s.proxyMT.RawSetString("__index", s.base)
	s.proxyMT.RawSetString("__newindex", s.roFn)
	s.hook, s.requestID = "", ""
	s.L.SetTop(0)
}

// failure classifies an error of a Lua call.
func (s *state) failure(cctx context.Context, hook string, err error) *policy.Failure {
	kind, msg := policy.FailError, err.Error()
	var ae *glua.ApiError
	if errors.As(err, &ae) {
		msg = ae.Object.String()
		if ae.Type == glua.ApiErrorPanic {
			kind = policy.FailTrap // a Go panic inside a builtin
		}
	}
	switch {
	case cctx.Err() != nil:
		kind, msg = policy.FailDeadline, fmt.Sprintf("no answer within %s (%v)", s.p.limits.Timeout.Round(time.Millisecond), cctx.Err())
	case s.refused != "":
		kind, msg = policy.FailMemory, s.refused
	case strings.Contains(msg, "stack overflow") || strings.Contains(msg, "registry overflow"):
		kind = policy.FailMemory
	}
	return &policy.Failure{Plugin: s.p.name, Hook: hook, Kind: kind, Err: errors.New(msg)}
}
