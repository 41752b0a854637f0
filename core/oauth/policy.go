package oauth

import (
	"context"
	"slices"
	"strings"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// The policy hooks of the OAuth flows (docs/policy-abi.md): map_roles and scope_policy run once per grant, at
// authorization and at every issuance (grantScopes is that one call site), consent at the consent step. They
// always run through the host's chain: its built-in policy (BuiltinPolicy below) first, then the plugins. With
// no plugin the chain is plain Go calls, so the built-in rules live here only, not also in a path without it.

// BuiltinPolicy returns the built-in policy of the OAuth flows, for the host's chain, over its scope catalogue.
func BuiltinPolicy(scopes *Catalogue) policy.Builtin {
	return policy.Builtin{
		// The roles in force are the user's own (stored) roles; switched off, plugins start from none.
		MapRoles: func(_ context.Context, in *policy.MapRolesInput) (*policy.MapRolesOutput, error) {
			return &policy.MapRolesOutput{Roles: in.Roles}, nil
		},
		// Known scopes within the client's, and role scopes only for holders.
		ScopePolicy: func(_ context.Context, in *policy.ScopePolicyInput) (*policy.ScopePolicyOutput, error) {
			var roles []string
			if in.User != nil {
				roles = in.User.Roles
			}
			return &policy.ScopePolicyOutput{GrantedScopes: nonNil(scopes.Grantable(in.GrantedScopes, nil, roles))}, nil
		},
		// A remembered consent (see consentRemembered) approves; anything else asks.
		Consent: func(_ context.Context, in *policy.ConsentInput) (*policy.ConsentOutput, error) {
			if in.PreviouslyConsented {
				return &policy.ConsentOutput{Decision: policy.DecisionApprove}, nil
			}
			return &policy.ConsentOutput{Decision: policy.DecisionAsk}, nil
		},
	}
}

// policyUser is what hooks see of a user, with the roles in force.
func (p *Provider) policyUser(u *store.User, roles []string) *policy.User {
	return PolicyUser(p.SubjectOf(u), u, roles)
}

// PolicyUser is what hooks see of a user with subject sub and the roles in force.
func PolicyUser(sub string, u *store.User, roles []string) *policy.User {
	pu := &policy.User{Sub: sub, Username: u.Username, Roles: nonNil(roles), Groups: nonNil(u.Groups), Email: u.Email}
	if u.Email != "" {
		v := u.EmailVerified
		pu.EmailVerified = &v
	}
	return pu
}

// PolicyClient is what hooks see of a client.
func PolicyClient(c *store.Client) policy.Client {
	pc := policy.Client{ClientID: c.ID, ClientName: c.Name, ClientURI: c.ClientURI, LogoURI: c.LogoURI,
		TOSURI: c.TOSURI, PolicyURI: c.PolicyURI}
	if len(c.Scopes) > 0 {
		pc.AllowedScopes = c.Scopes
	}
	return pc
}

// policyError maps a policy failure: fail_closed is server_error, with the failure logged as its cause.
func policyError(err error) *Error {
	return ServerError(err)
}

// grantScopes is the scope decision of one grant (every grant calls it through Issue, and the authorization
// step to offer scopes): map_roles gives the roles in force, then scope_policy narrows the requested scopes and
// the resources (RFC 8707). It returns the scopes, the resources and the claims map_roles added; resources asked
// for of which the policy leaves none are invalid_target (RFC 8707 §2). Without a user (client credentials)
// map_roles does not run, scope_policy sees no user, and no scope that stands for a user is granted.
func (p *Provider) grantScopes(ctx context.Context, flow string, client *store.Client, user *store.User, requested, resources []string) ([]string, []string, map[string]any, *Error) {
	var roles []string
	var claims map[string]any
	if user != nil {
		roles = user.Roles
	}
	pc := PolicyClient(client)
	var pu *policy.User
	if user != nil {
		mr, err := p.Policy.MapRoles(ctx, &policy.MapRolesInput{User: *p.policyUser(user, roles), Client: &pc, Roles: nonNil(roles)})
		if err != nil {
			return nil, nil, nil, policyError(err)
		}
		roles, claims = mr.Roles, mr.Claims
		pu = p.policyUser(user, roles)
	}
	sp, err := p.Policy.ScopePolicy(ctx, &policy.ScopePolicyInput{Flow: flow, User: pu, Client: pc,
		RequestedScopes: nonNil(requested), Resource: slices.Clone(resources)})
	if err != nil {
		return nil, nil, nil, policyError(err)
	}
	if len(resources) > 0 && sp.GrantedResources != nil {
		if len(sp.GrantedResources) == 0 {
			p.log().Info("resource refused by policy", "flow", flow, "client_id", client.ID, "resource", resources)
			return nil, nil, nil, InvalidTarget("a policy refused the requested resource")
		}
		resources = sp.GrantedResources
	}
	for _, d := range sp.Denied {
		p.log().Info("scope denied by policy", "flow", flow, "client_id", client.ID, "scope", d.Scope, "reason", d.Reason,
			"decided_by", d.DecidedBy)
	}
	p.scopesDenied(ctx, flow, client, user, sp.Denied)
	// The host's invariant whatever the policy (even with the built-in scope_policy switched off): only scopes
	// of the host's catalogue, within the client's, and a role scope only for a holder of that role in force
	// (roles come from the catalogue through map_roles alone; RFC 9700 §2.3, least privilege).
	return nonNil(p.withoutUser(p.Scopes.Grantable(sp.GrantedScopes, client.Scopes, roles), user)), resources, claims, nil
}

// withoutUser drops the scopes that stand for a user when there is none (UserScope).
func (p *Provider) withoutUser(scopes []string, user *store.User) []string {
	if user != nil {
		return scopes
	}
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if !p.Scopes.UserScope(s) {
			out = append(out, s)
		}
	}
	return out
}

// consentDecision is the consent step (the consent hook with the remembered consent as previously_consented).
func (p *Provider) consentDecision(ctx context.Context, ix *store.Interaction, client *store.Client, user *store.User, offered []string) (*policy.ConsentOutput, *Error) {
	remembered := p.consentRemembered(ctx, ix, client, user, offered)
	out, err := p.Policy.Consent(ctx, &policy.ConsentInput{User: *p.policyUser(user, user.Roles), Client: PolicyClient(client),
		RequestedScopes: nonNil(ix.Scopes), GrantedScopes: nonNil(offered), PreviouslyConsented: remembered,
		Prompt: strings.Join(ix.Prompt, " ")})
	if err != nil {
		return nil, policyError(err)
	}
	if out.Decision == policy.DecisionDeny {
		// The flow answers access_denied; the log says which plugin (or the built-in policy) denied, and why.
		p.log().Info("consent denied by policy", "client_id", client.ID, "user_id", user.ID, "decided_by", out.DecidedBy,
			"reason", out.ErrorDescription)
		p.emit(ctx, events.Event{Kind: events.PolicyDenied, Hook: policy.HookConsent, Decider: out.DecidedBy,
			ClientID: client.ID, UserID: user.ID, Scope: JoinScope(offered), Reason: out.ErrorDescription})
	}
	return out, nil
}
