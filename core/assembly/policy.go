package assembly

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/policy"
)

// addPolicies loads the host's policy plugins (config policies) into a chain after the built-in policy, and
// gives it to every hook's caller: map_roles, scope_policy and consent in the OAuth flows, claims in id_tokens
// and userinfo, validate_registration in registration. A host without plugins and with every built-in hook on
// keeps the built-in rules alone (no chain on the hot path); a built-in hook switched off (builtin_policy) builds
// the chain even without plugins, so that the switch takes effect.
func (s *Services) addPolicies(ctx context.Context, o Options) error {
	h := s.Settings
	if (len(h.Policies) == 0 || o.SkipPlugins) && !slices.Contains(slices.Collect(maps.Values(h.BuiltinPolicy)), false) {
		return nil
	}
	var bindings []policy.Binding
	if !o.SkipPlugins {
		var err error
		if bindings, err = policyBindings(h); err != nil {
			return err
		}
	}
	builtin := s.OAuth.Builtin()
	builtin.ValidateRegistration = registration.BuiltinPolicy
	m, err := policy.NewManager(ctx, policy.ManagerOptions{
		Options: policy.Options{Host: h.ID, Builtin: builtin, BuiltinPolicy: h.BuiltinPolicy, Roles: h.Roles,
			Now: o.Now, Log: o.Log.With("host", h.ID)},
		Engines: o.Engines, Bindings: bindings,
	})
	if err != nil {
		return err
	}
	chain := m.Chain()
	s.Policies = m
	s.OAuth.Policy, s.IDTokens.Policy, s.UserInfo.Policy = chain, chain, chain
	if s.Registry != nil {
		s.Registry.Policy = chain
	}
	return nil
}

// policyBindings turns a host's configured plugins into the bindings a policy.Manager loads. Relative plugin
// paths are taken as given (relative to the working directory, like theme).
func policyBindings(h *config.HostSettings) ([]policy.Binding, error) {
	var out []policy.Binding
	for _, p := range h.Policies {
		b := policy.Binding{Name: p.Name, Kind: "lua", Path: p.Lua, Hooks: p.Hooks, Config: p.Config, OnError: p.OnError,
			Isolate: p.IsolateCalls}
		if p.Wasm != "" {
			b.Kind, b.Path = "wasm", p.Wasm
		}
		limits, err := policy.ParseLimits(p.Limits)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", p.Name, err)
		}
		b.Limits = limits
		out = append(out, b)
	}
	return out, nil
}
