package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
)

// MapRoles maps a user's roles. The roles start as in.Roles (or in.User.Roles when nil), or empty when the
// built-in map_roles is switched off (then the plugins alone decide the roles in force); the built-in policy and
// then each plugin get the roles so far and return the new list, from which the chain drops (and logs) every
// added role that is not in the host's catalogue. Claims merge, a later answer winning; reserved claim names are
// dropped and logged; an answer over the claims caps is an invalid_output failure.
func (c *Chain) MapRoles(ctx context.Context, in *MapRolesInput) (*MapRolesOutput, error) {
	s := c.acquire()
	defer s.release()
	req := *in
	c.fill(ctx, HookMapRoles, &req.Envelope)
	roles := in.Roles
	if roles == nil {
		roles = in.User.Roles
	}
	roles = dedupe(roles)
	if !c.builtinOn(HookMapRoles) {
		roles = []string{}
	}
	claims := map[string]any{}
	if f := c.opts.Builtin.MapRoles; f != nil && c.builtinOn(HookMapRoles) {
		req.Roles = roles
		out, err := f(ctx, &req)
		if err != nil {
			return nil, err
		}
		roles = c.catalogued("builtin", req.RequestID, roles, out.Roles)
		maps.Copy(claims, out.Claims)
	}
	for _, e := range s.hooks[HookIndex(HookMapRoles)] {
		req.Roles = roles
		dec, err := c.call(ctx, e, HookMapRoles, &req, req.RequestID)
		var merged map[string]any
		if err == nil {
			out := dec.(*MapRolesOutput)
			if merged, err = c.mergeClaims(e, HookMapRoles, req.RequestID, claims, out.Claims); err == nil {
				roles, claims = c.catalogued(e.name, req.RequestID, roles, out.Roles), merged
				continue
			}
		}
		if e.onError == OnErrorSkip {
			continue
		}
		return nil, failClosed(e, HookMapRoles, err)
	}
	out := &MapRolesOutput{Roles: roles}
	if len(claims) > 0 {
		out.Claims = claims
	}
	return out, nil
}

// catalogued returns next without duplicates and without the roles it adds to prev that the host does not know.
func (c *Chain) catalogued(plugin, requestID string, prev, next []string) []string {
	out := make([]string, 0, len(next))
	for _, r := range next {
		switch {
		case contains(out, r):
		case contains(prev, r) || c.catalog[r]:
			out = append(out, r)
		default:
			c.opts.Log.Warn("policy role refused: not in the role catalogue", "plugin", plugin,
				"hook", HookMapRoles, "role", r, "request_id", requestID)
		}
	}
	return out
}

// mergeClaims returns have with add merged over it (later wins; a null removes the claim an earlier answer or
// the built-in policy set), without the reserved names (dropped and logged). An answer that takes the claims over MaxClaims or MaxClaimsBytes is an invalid_output failure.
func (c *Chain) mergeClaims(e *entry, hook, requestID string, have, add map[string]any) (map[string]any, error) {
	if len(add) == 0 {
		return have, nil
	}
	out := maps.Clone(have)
	for k, v := range add {
		if ReservedClaim(k) {
			c.opts.Log.Warn("policy claim refused: reserved name", "plugin", e.name,
				"hook", hook, "claim", k, "request_id", requestID)
			continue
		}
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	if len(out) > c.opts.MaxClaims {
		return nil, c.claimsFailure(e, hook, requestID, fmt.Errorf("claims: %d claims, more than the cap of %d",
			len(out), c.opts.MaxClaims))
	}
	if b, err := json.Marshal(out); err != nil || len(b) > c.opts.MaxClaimsBytes {
		return nil, c.claimsFailure(e, hook, requestID, fmt.Errorf("claims: %d bytes, more than the cap of %d",
			len(b), c.opts.MaxClaimsBytes))
	}
	return out, nil
}

// claimsFailure logs and returns a claims cap failure (the output was valid JSON, so call did not log it).
func (c *Chain) claimsFailure(e *entry, hook, requestID string, err error) error {
	f := &Failure{Plugin: e.name, Hook: hook, Kind: FailOutput, Err: err}
	c.opts.Log.Warn("policy plugin failed", "plugin", e.name, "hook", hook, "kind", f.Kind,
		"on_error", e.onError, "request_id", requestID, "err", f)
	return f
}

// dedupe returns list without duplicates, in order; never nil.
func dedupe(list []string) []string {
	return narrow(list, list)
}
