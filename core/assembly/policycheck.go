package assembly

import (
	"context"
	"log/slog"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/policy"
)

// CheckPolicies loads each of the host's plugins on engines as Build would (read, compile, check the ABI and the
// bound hooks, run init) and unloads it again, for `assentry config check`. Each plugin is loaded on its own, so
// every broken one is reported, not only the first; each error names its plugin. It returns how many loaded.
func CheckPolicies(ctx context.Context, h *config.HostSettings, engines map[string]policy.Engine, log *slog.Logger) (int, []error) {
	bindings, err := policyBindings(h)
	if err != nil {
		return 0, []error{err}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ok := 0
	var errs []error
	for _, b := range bindings {
		m, err := policy.NewManager(ctx, policy.ManagerOptions{
			Options: policy.Options{Host: h.ID, BuiltinPolicy: h.BuiltinPolicy, Roles: h.Roles, Log: log.With("host", h.ID)},
			Engines: engines, Bindings: []policy.Binding{b},
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ok++
		_ = m.Close(ctx)
	}
	return ok, errs
}
