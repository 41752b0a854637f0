package registration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
)

// RequestInfo is what the validate_registration hook learns of the registration request.
type RequestInfo struct {
	RemoteAddr string
	UserAgent  string
	// AuthKind is "anonymous" or "initial_access_token" (docs/policy-abi.md).
	AuthKind string
}

// BuiltinPolicy is the built-in validate_registration policy (policy.Builtin.ValidateRegistration): it rejects
// metadata that breaks DefaultRules, with the rule's error code and description, and accepts the rest unchanged.
func BuiltinPolicy(_ context.Context, in *policy.ValidateRegistrationInput) (*policy.ValidateRegistrationOutput, error) {
	raw, err := json.Marshal(in.Metadata)
	if err != nil {
		return nil, err
	}
	m, err := parseMetadata(raw)
	if err == nil {
		err = DefaultRules(m)
	}
	var re *oauth.Error
	switch {
	case errors.As(err, &re):
		return &policy.ValidateRegistrationOutput{Decision: policy.DecisionReject, Error: re.Code, ErrorDescription: re.Description}, nil
	case err != nil:
		return nil, err
	}
	return &policy.ValidateRegistrationOutput{Decision: policy.DecisionAccept}, nil
}

// checker validates metadata for one host: the host's own checks have run; it runs the validate_registration
// hook and, while they are on, the default rules. Registrations and metadata documents share it, so a client
// without registration passes exactly the rules (and the plugins) a registered one does.
type checker struct {
	host     string
	policy   policy.Policy
	rules    Rules
	defaults bool // DefaultRules apply (the built-in validate_registration policy is on)
	events   *events.Emitter
}

// source is what the validate_registration hook learns of where the metadata comes from.
type source struct {
	operation string // policy.OperationRegister or policy.OperationMetadataDocument
	clientID  string // the metadata document's URL; "" for a registration
	info      RequestInfo
}

// checker returns the Registry's checker.
func (r *Registry) checker() *checker {
	return &checker{host: r.host, policy: r.Policy, rules: r.rules, defaults: r.defaults, events: r.events}
}

// validate runs the registration policy on metadata the host's own checks accepted (docs/policy-abi.md: after the
// host's own checks), then, while they are on, the default rules on the result: whatever the chain did, and
// whether or not its built-in validate_registration is BuiltinPolicy, no client breaks them.
func (c *checker) validate(ctx context.Context, m *Metadata, src source) (*Metadata, error) {
	m, err := c.runPolicy(ctx, m, src)
	if err == nil && c.defaults {
		err = DefaultRules(m)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// runPolicy runs the validate_registration hook through the host's chain (whose built-in policy, BuiltinPolicy,
// is the default rules, so that plugins only see metadata that passed them). A reject is a refused registration
// with the policy's error; an accept's metadata patch is applied (host-owned members ignored) and the result
// checked again by the host's own checks, so a policy can narrow but never admit what they refuse. A
// fail_closed failure is returned as it is (the caller answers 500).
func (c *checker) runPolicy(ctx context.Context, m *Metadata, src source) (*Metadata, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var meta map[string]any
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, err
	}
	in := &policy.ValidateRegistrationInput{Operation: src.operation, ClientID: src.clientID, Metadata: meta}
	in.Auth.Kind = src.info.AuthKind
	in.Request.RemoteAddr, in.Request.UserAgent = src.info.RemoteAddr, src.info.UserAgent
	out, err := c.policy.ValidateRegistration(ctx, in)
	if err != nil {
		return nil, err
	}
	if out.Decision == policy.DecisionReject {
		desc := out.ErrorDescription
		if desc == "" {
			desc = "refused by the registration policy"
		}
		refusal := oauth.RegistrationRefused(out.Error, desc)
		var rule *oauth.Error
		if out.DecidedBy == policy.DecidedByBuiltin && errors.As(DefaultRules(m), &rule) && rule.Code == refusal.Code {
			refusal.Field = rule.Field // the built-in policy is DefaultRules: name the member whose rule refused
		}
		refused := &Refused{DecidedBy: out.DecidedBy, Err: refusal}
		// The audit line carries what the server log's "client registration refused" line does: the decider
		// (builtin:<member> for a built-in rule), the error code and the description.
		c.events.Emit(ctx, events.Event{Kind: events.PolicyDenied, Host: c.host, Hook: policy.HookValidateRegistration,
			Decider: DecidedBy(refused), IP: src.info.RemoteAddr, ClientID: src.clientID, Error: refusal.Code,
			Reason: refusal.Description})
		return nil, refused
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
	return c.rules.Normalize(pm)
}
