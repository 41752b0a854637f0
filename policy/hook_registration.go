package policy

import (
	"context"
	"fmt"
	"maps"
	"strings"
)

// ValidateRegistration runs the registration rules: the built-in policy, then each plugin, each seeing the
// metadata as patched by those before it. The first reject wins (a reject without an error code gets
// invalid_client_metadata). On accept, MetadataPatch holds every patch merged in order (a null value removes the
// member), without host-owned members; the core applies it with ApplyPatch and re-validates the result.
func (c *Chain) ValidateRegistration(ctx context.Context, in *ValidateRegistrationInput) (*ValidateRegistrationOutput, error) {
	s := c.acquire()
	defer s.release()
	req := *in
	c.fill(ctx, HookValidateRegistration, &req.Envelope)
	req.Metadata = maps.Clone(in.Metadata)
	patch := map[string]any{}
	apply := func(p map[string]any) {
		for k, v := range p {
			if HostOwnedMetadata(k) {
				continue
			}
			patch[k] = v
			if v == nil {
				delete(req.Metadata, k)
			} else {
				req.Metadata[k] = v
			}
		}
	}
	if req.Metadata == nil {
		req.Metadata = map[string]any{}
	}
	if f := c.opts.Builtin.ValidateRegistration; f != nil && c.builtinOn(HookValidateRegistration) {
		out, err := f(ctx, &req)
		if err != nil {
			return nil, err
		}
		switch out.Decision {
		case DecisionReject:
			return rejected(out, DecidedByBuiltin), nil
		case DecisionAccept:
		default:
			return nil, fmt.Errorf("policy: the built-in validate_registration answered %q", out.Decision)
		}
		apply(out.MetadataPatch)
	}
	for _, e := range s.hooks[HookIndex(HookValidateRegistration)] {
		dec, err := c.call(ctx, e, HookValidateRegistration, &req, req.RequestID)
		if err != nil {
			if e.onError == OnErrorSkip {
				continue
			}
			return nil, failClosed(e, HookValidateRegistration, err)
		}
		out := dec.(*ValidateRegistrationOutput)
		if out.Decision == DecisionReject {
			return rejected(out, e.name), nil
		}
		apply(out.MetadataPatch)
	}
	out := &ValidateRegistrationOutput{Decision: DecisionAccept}
	if len(patch) > 0 {
		out.MetadataPatch = patch
	}
	return out, nil
}

// rejected is the chain's reject, decided by by (a plugin's name or DecidedByBuiltin).
func rejected(o *ValidateRegistrationOutput, by string) *ValidateRegistrationOutput {
	out := &ValidateRegistrationOutput{Decision: DecisionReject, Error: o.Error, ErrorDescription: o.ErrorDescription,
		DecidedBy: by}
	if out.Error == "" {
		out.Error = "invalid_client_metadata"
	}
	return out
}

// HostOwnedMetadata reports whether a registration metadata member belongs to the host, so that a
// metadata_patch cannot set it: client_id, client_secret, *_issued_at and *_expires_at (docs/policy-abi.md,
// "validate_registration"), and the RFC 7592
// management members registration_access_token and registration_client_uri.
func HostOwnedMetadata(name string) bool {
	switch name {
	case "client_id", "client_secret", "registration_access_token", "registration_client_uri":
		return true
	}
	return strings.HasSuffix(name, "_issued_at") || strings.HasSuffix(name, "_expires_at")
}

// ApplyPatch returns metadata with an accepted registration's MetadataPatch applied: each member replaces the
// one of the same name, a null removes it; host-owned members are ignored. metadata is not modified.
func ApplyPatch(metadata, patch map[string]any) map[string]any {
	out := maps.Clone(metadata)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range patch {
		switch {
		case HostOwnedMetadata(k):
		case v == nil:
			delete(out, k)
		default:
			out[k] = v
		}
	}
	return out
}
