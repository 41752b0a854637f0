package registration

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/assentry/assentry/policy"
)

// RequestInfo is what the validate_registration hook learns of the registration request.
type RequestInfo struct {
	RemoteAddr string
	UserAgent  string
	// AuthKind is "anonymous" or "initial_access_token" (POLICY-ABI.md).
	AuthKind string
}

// validate runs the validate_registration hook on metadata the host's rules accepted (POLICY-ABI.md: after the
// host's own checks). A reject is a refused registration with the policy's error; an accept's metadata patch is
// applied (host-owned members ignored) and the result re-validated by the rules, so a policy can narrow but
// never admit what the rules refuse. A fail_closed failure is returned as it is (the caller answers 500).
func (r *Registry) validate(ctx context.Context, m *Metadata, info RequestInfo) (*Metadata, error) {
	if r.Policy == nil {
		return m, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var meta map[string]any
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, err
	}
	in := &policy.ValidateRegistrationInput{Operation: "register", Metadata: meta}
	in.Auth.Kind = info.AuthKind
	in.Request.RemoteAddr, in.Request.UserAgent = info.RemoteAddr, info.UserAgent
	out, err := r.Policy.ValidateRegistration(ctx, in)
	if err != nil {
		return nil, err
	}
	if out.Decision == policy.DecisionReject {
		code := out.Error
		if code == "" {
			code = CodeInvalidClientMetadata
		}
		desc := out.ErrorDescription
		if desc == "" {
			desc = "refused by the registration policy"
		}
		return nil, &Error{Code: code, Description: desc}
	}
	if len(out.MetadataPatch) == 0 {
		return m, nil
	}
	patched, err := json.Marshal(policy.ApplyPatch(meta, out.MetadataPatch))
	if err != nil {
		return nil, fmt.Errorf("registration policy patch: %w", err)
	}
	pm, err := parseMetadata(patched)
	if err != nil {
		return nil, err
	}
	return r.rules.Normalize(pm)
}
