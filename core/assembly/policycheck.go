package assembly

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/policy"
)

// PolicyCheck is what CheckPolicies found for one host.
type PolicyCheck struct {
	Loaded int // plugins whose file loaded
	// Warnings are the plugins whose file fails but which serve would start on their last good version
	// (on_load_error keep_last_good), one line each: the host runs, on a version that is not its file.
	Warnings []string
	Errors   []error // plugins serve would refuse, each naming its plugin
}

// CheckPolicies loads each of the host's plugins on engines as Build would (read, compile, check the ABI version
// and the bound hooks, run init: docs/policy-abi.md, "WebAssembly binding", "Lua binding" and "init") and unloads it again, for `assentry config check`. Each plugin is loaded on its own, so
// every broken one is reported, not only the first; each error names its plugin. A plugin with on_load_error
// keep_last_good whose file fails is looked up in policyCache (data_dir/policy-cache, as serve keeps it; "" for
// none) and, when its last good version loads, is a warning rather than an error; the cache is only read.
func CheckPolicies(ctx context.Context, h *config.HostSettings, engines map[string]policy.Engine, policyCache string, log *slog.Logger) PolicyCheck {
	var res PolicyCheck
	bindings, err := policyBindings(h)
	if err != nil {
		res.Errors = append(res.Errors, err)
		return res
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var cache string
	if policyCache != "" {
		cache = filepath.Join(policyCache, h.ID)
	}
	for _, b := range bindings {
		m, err := policy.NewManager(ctx, policy.ManagerOptions{
			Options: policy.Options{Host: h.ID, BuiltinPolicy: h.BuiltinPolicy, Roles: h.Roles, Log: log.With("host", h.ID)},
			Engines: engines, Bindings: []policy.Binding{b}, CacheDir: cache, ReadOnlyCache: true,
		})
		if err != nil {
			res.Errors = append(res.Errors, err)
			continue
		}
		kept := m.KeptStarts()
		for _, k := range kept {
			res.Warnings = append(res.Warnings, fmt.Sprintf("policy %s: the file is broken: %v; serve would start on "+
				"the last good version saved at %s (%s), and /readyz would report the plugin stale until the file loads",
				k.Plugin, k.Err, k.SavedAt.UTC().Format(time.RFC3339), k.File))
		}
		if len(kept) == 0 {
			res.Loaded++
		}
		_ = m.Close(ctx)
	}
	return res
}
