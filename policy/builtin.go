package policy

import "context"

// Builtin is the host's built-in policy, one Go function per hook, supplied by the caller (policy imports nothing
// from core). The chain runs it first, before any plugin, unless builtin_policy switches that hook off (a nil
// function is skipped; switching map_roles off also makes the plugins start from no roles). An error it returns is the core's own and is returned unchanged by the
// chain (it is not a plugin failure and on_error does not apply). Its answers obey the same host rules as a
// plugin's (scopes only narrow, roles only from the catalogue), except that the claims it adds are not checked
// against ReservedClaims.
type Builtin struct {
	ValidateRegistration func(ctx context.Context, in *ValidateRegistrationInput) (*ValidateRegistrationOutput, error)
	MapRoles             func(ctx context.Context, in *MapRolesInput) (*MapRolesOutput, error)
	ScopePolicy          func(ctx context.Context, in *ScopePolicyInput) (*ScopePolicyOutput, error)
	Consent              func(ctx context.Context, in *ConsentInput) (*ConsentOutput, error)
	Claims               func(ctx context.Context, in *ClaimsInput) (*ClaimsOutput, error)
}

// Policy is what the core calls, one method per hook: a *Chain implements it for one host. Each method fills the
// envelope, runs the built-in policy and the plugins bound to the hook in order, combines their answers by the
// rules of docs/policy-abi.md ("Several plugins on one hook") and enforces the host's invariants. An error is
// either the built-in policy's own or a *FailClosedError (answer server_error).
type Policy interface {
	// ValidateRegistration runs at RFC 7591 registration after the host's syntax checks. On accept, the core
	// applies MetadataPatch (ApplyPatch) and re-validates the result with its own rules.
	ValidateRegistration(ctx context.Context, in *ValidateRegistrationInput) (*ValidateRegistrationOutput, error)
	// MapRoles runs at login and whenever tokens are issued or refreshed.
	MapRoles(ctx context.Context, in *MapRolesInput) (*MapRolesOutput, error)
	// ScopePolicy runs once per grant (authorization, token, refresh, device, ...).
	ScopePolicy(ctx context.Context, in *ScopePolicyInput) (*ScopePolicyOutput, error)
	// Consent decides the consent step: approve, deny, ask (with page data) or consent_required.
	Consent(ctx context.Context, in *ConsentInput) (*ConsentOutput, error)
	// Claims adds claims to an id_token or a userinfo answer.
	Claims(ctx context.Context, in *ClaimsInput) (*ClaimsOutput, error)
}

var _ Policy = (*Chain)(nil)
