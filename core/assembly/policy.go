package assembly

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/policy"
)

// newPolicies builds the host's policy chain: the built-in policy (the OAuth flows' over the host's scopes, and
// registration's default rules), switched per hook by builtin_policy, then the host's plugins loaded on the
// engines. Every hook's caller gets it: map_roles, scope_policy and consent in the OAuth flows, claims in
// id_tokens and userinfo, validate_registration in registration. Without plugins the chain is the built-in
// policy alone, run as plain Go calls, so there is one built-in policy and one path through it.
func newPolicies(ctx context.Context, h *config.HostSettings, scopes *oauth.Catalogue, o Options) (*policy.Manager, error) {
	var bindings []policy.Binding
	if !o.SkipPlugins {
		var err error
		if bindings, err = policyBindings(h); err != nil {
			return nil, err
		}
	}
	var cache string
	if o.PolicyCache != "" {
		cache = filepath.Join(o.PolicyCache, h.ID) // a host id is [a-z0-9-]: a plain directory name
	}
	builtin := oauth.BuiltinPolicy(scopes)
	builtin.ValidateRegistration = registration.BuiltinPolicy
	return policy.NewManager(ctx, policy.ManagerOptions{
		Options: policy.Options{Host: h.ID, Builtin: builtin, BuiltinPolicy: h.BuiltinPolicy, Roles: h.Roles,
			Now: o.Now, Log: o.Log.With("host", h.ID), Observer: o.PolicyObserver},
		Engines: o.Engines, Bindings: bindings, CacheDir: cache,
	})
}

// policyBindings turns a host's configured plugins into the bindings a policy.Manager loads. Relative plugin
// paths are taken as given (relative to the working directory, like theme).
func policyBindings(h *config.HostSettings) ([]policy.Binding, error) {
	var out []policy.Binding
	for _, p := range h.Policies {
		b := policy.Binding{Name: p.Name, Kind: "lua", Path: p.Lua, Hooks: p.Hooks, Config: p.Config, OnError: p.OnError,
			Isolate: p.IsolateCalls, OnLoadError: p.OnLoadError}
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
