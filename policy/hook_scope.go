package policy

import "context"

// ScopePolicy decides the scopes of one grant. The scopes start as in.GrantedScopes (or the requested scopes when
// nil), limited to requested ∩ allowed (in.Client.AllowedScopes; nil means the client is not limited); the
// built-in policy and then each plugin get the scopes granted so far and can only narrow them. The answer's
// GrantedScopes is never nil; Denied collects every reason given, for the audit log. Resources (in.Resource) are
// narrowed the same way by each plugin's granted_resources; the answer's GrantedResources is nil when in.Resource
// is, and otherwise never nil.
func (c *Chain) ScopePolicy(ctx context.Context, in *ScopePolicyInput) (*ScopePolicyOutput, error) {
	s := c.acquire()
	defer s.release()
	req := *in
	c.fill(ctx, HookScopePolicy, &req.Envelope)
	granted := in.GrantedScopes
	if granted == nil {
		granted = in.RequestedScopes
	}
	// docs/policy-abi.md, "scope_policy": the host grants granted ∩ requested ∩ allowed.
	granted = narrow(granted, in.RequestedScopes)
	if in.Client.AllowedScopes != nil {
		granted = narrow(granted, in.Client.AllowedScopes)
	}
	var denied []DeniedScope
	resources := in.Resource
	if f := c.opts.Builtin.ScopePolicy; f != nil && c.builtinOn(HookScopePolicy) {
		req.GrantedScopes = granted
		out, err := f(ctx, &req)
		if err != nil {
			return nil, err
		}
		granted, denied = narrow(granted, out.GrantedScopes), appendDenied(denied, out.Denied, DecidedByBuiltin)
	}
	for _, e := range s.hooks[HookIndex(HookScopePolicy)] {
		req.GrantedScopes, req.Resource = granted, resources
		dec, err := c.call(ctx, e, HookScopePolicy, &req, req.RequestID)
		if err != nil {
			if e.onError == OnErrorSkip {
				continue
			}
			return nil, failClosed(e, HookScopePolicy, err)
		}
		out := dec.(*ScopePolicyOutput)
		granted, denied = narrow(granted, out.GrantedScopes), appendDenied(denied, out.Denied, e.name)
		if resources != nil && out.GrantedResources != nil {
			resources = narrow(resources, out.GrantedResources)
		}
	}
	return &ScopePolicyOutput{GrantedScopes: granted, Denied: denied, GrantedResources: resources}, nil
}

// appendDenied adds the reasons one policy gave, marked with who gave them (a plugin's name or DecidedByBuiltin).
func appendDenied(denied, more []DeniedScope, by string) []DeniedScope {
	for _, d := range more {
		d.DecidedBy = by
		denied = append(denied, d)
	}
	return denied
}

// narrow returns the members of have that are also in keep, in have's order, without duplicates; never nil.
func narrow(have, keep []string) []string {
	out := make([]string, 0, len(have))
	for _, s := range have {
		if contains(keep, s) && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// contains is slices.Contains for the short lists of scopes and roles.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
