package wasm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/sys"

	"github.com/assentry/assentry/policy"
)

// instance is one instantiated module of a plugin. It serves one goroutine at a time (the pool hands it
// out), so its fields need no lock, except what the deadline's timer touches (see deadline.go).
type instance struct {
	p     *plugin
	mod   api.Module
	mem   api.Memory
	lm    linearMemory
	log   guestLog
	alloc api.Function
	free  api.Function
	init  api.Function
	hooks []api.Function // by hookIndex; nil when not exported
	stack []uint64       // reused by every guest call
	buf   uint32         // the input buffer, allocated by assentry_alloc, reused and grown
	bufN  uint32         // its size
	snap  *snapshot      // the state after init, with isolation (isolation.go); nil without
	clock *guestClock    // the guest's clock and random source

	// The interruption of a call (instrument.go): the timer, or the caller's context, sets the module's
	// stop global; the guest traps at its next loop header or function entry.
	stop    api.MutableGlobal
	depth   api.Global
	timer   *time.Timer
	mu      sync.Mutex // orders expire against close
	expired atomic.Bool
}

// instanceKey carries the instance being created to the host functions called during instantiation, before
// the module is known to its plugin.
type instanceKey struct{}

// newInstance instantiates the module, runs its start function and `_initialize` when it has them, checks the
// ABI version when checkABI (docs/policy-abi.md, "WebAssembly binding": the exports), allocates the input
// buffer and runs assentry_init (docs/policy-abi.md, "init") with the host's config, all
// within the engine's init timeout. The error is a *policy.Failure of hook "init".
func (p *plugin) newInstance(ctx context.Context, checkABI bool) (*instance, error) {
	in := &instance{p: p, stack: make([]uint64, 2), hooks: make([]api.Function, len(policy.Hooks)), clock: newGuestClock()}
	in.log = guestLog{logger: p.logger, limit: p.e.opts.logLimit}
	cfg := wazero.NewModuleConfig().
		WithName("").         // anonymous: any number of instances
		WithStartFunctions(). // `_initialize` is called below, `_start` was refused
		WithWalltime(in.clock.walltime, sys.ClockResolution(time.Millisecond)).
		WithNanotime(in.clock.nanotime, sys.ClockResolution(time.Millisecond)).
		WithRandSource(in.clock)
	cfg = cfg.WithStdout(&stream{g: &in.log, name: "stdout", level: slog.LevelInfo}).
		WithStderr(&stream{g: &in.log, name: "stderr", level: slog.LevelWarn})
	ictx := experimental.WithMemoryAllocator(ctx, in.lm.allocator(uint64(p.limits.MaxMemoryPages)*pageSize))
	ictx = context.WithValue(ictx, instanceKey{}, in)
	// Instantiation runs no guest code (the start function was moved to an export), so it needs no deadline.
	mod, err := p.rt.InstantiateModule(ictx, p.compiled, cfg)
	if err != nil {
		return nil, in.failure(ctx, "init", fmt.Errorf("instantiate: %w", err))
	}
	in.mod = mod
	in.stop = mod.ExportedGlobal(stopExport).(api.MutableGlobal)
	in.depth = mod.ExportedGlobal(depthExport)
	in.timer = time.AfterFunc(time.Hour, in.expire)
	in.timer.Stop()
	p.byModule.Store(mod, in)

	disarm := in.arm(ctx, p.e.opts.initTimeout)
	in, err = in.initialize(ictx, checkABI)
	if expired := disarm(); err == nil && expired {
		err = &policy.Failure{Plugin: p.name, Hook: "init", Kind: policy.FailDeadline, Err: context.DeadlineExceeded}
	}
	if f := (*policy.Failure)(nil); errors.As(err, &f) && f.Kind == policy.FailDeadline &&
		errors.Is(f.Err, context.DeadlineExceeded) && ctx.Err() == nil {
		f.Err = fmt.Errorf("initialisation took longer than %s: %w", p.e.opts.initTimeout, f.Err)
	}
	if err == nil && p.isolate {
		if err = in.takeSnapshot(); err != nil {
			err = &policy.Failure{Plugin: p.name, Hook: "init", Kind: policy.FailTrap, Err: err}
		}
	}
	if err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// initialize runs the guest's start and init code and sets up the input buffer.
func (in *instance) initialize(ctx context.Context, checkABI bool) (*instance, error) {
	p, mod := in.p, in.mod
	fail := func(kind string, err error) (*instance, error) {
		return in, &policy.Failure{Plugin: p.name, Hook: "init", Kind: kind, Err: err}
	}
	for _, name := range []string{startExport, exportInitialize} {
		if fn := mod.ExportedFunction(name); fn != nil {
			if err := in.callRaw(ctx, fn); err != nil {
				if name == startExport {
					name = "start function"
				}
				return in, in.failure(ctx, "init", fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	in.mem = mod.ExportedMemory(exportMemory)
	in.alloc = mod.ExportedFunction(exportAlloc)
	in.free = mod.ExportedFunction(exportFree)
	in.init = mod.ExportedFunction(exportInit)
	for _, h := range p.shape.hooks {
		in.hooks[hookIndex[h]] = mod.ExportedFunction(hookExport(h))
	}
	if checkABI {
		if err := in.callRaw(ctx, mod.ExportedFunction(exportABIVersion)); err != nil {
			return in, in.failure(ctx, "init", fmt.Errorf("%s: %w", exportABIVersion, err))
		}
		if v := int32(in.stack[0]); v != policy.ABIVersion {
			return fail(policy.FailOutput, fmt.Errorf("%s() returned %d, this host speaks ABI version %d",
				exportABIVersion, v, policy.ABIVersion))
		}
	}
	if err := in.growBuffer(ctx, max(minInputBuffer, len(p.initInput))); err != nil {
		return in, err
	}
	if in.init == nil {
		return in, nil
	}
	out, err := in.call(ctx, in.init, "init", p.initInput, -1)
	if err != nil {
		return in, err
	}
	var answer struct {
		Error *policy.PluginError `json:"error"`
	}
	if err := json.Unmarshal(out, &answer); err != nil {
		return fail(policy.FailOutput, fmt.Errorf("init answered %.80q: %w", out, err))
	}
	if answer.Error != nil {
		return fail(policy.FailError, fmt.Errorf("init refused the configuration: %w", answer.Error))
	}
	return in, nil
}

// instanceOf finds the instance of a module in a host function.
func (p *plugin) instanceOf(ctx context.Context, m api.Module) *instance {
	if in, ok := p.byModule.Load(m); ok {
		return in.(*instance)
	}
	in, _ := ctx.Value(instanceKey{}).(*instance)
	return in
}

// close discards the instance.
func (in *instance) close() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.mod == nil {
		return
	}
	if in.timer != nil {
		in.timer.Stop()
	}
	in.p.byModule.Delete(in.mod)
	_ = in.mod.Close(context.Background())
	in.mod = nil
}
