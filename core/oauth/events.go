package oauth

import (
	"context"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// Reasons of token.reuse_detected and token.revoked events: short words for the audit log.
const (
	ReasonRefreshReused      = "refresh_token_reused" // a rotated refresh token presented again
	ReasonCodeReplayed       = "code_replayed"        // a used authorization code presented again
	ReasonDeviceCodeReplayed = "device_code_replayed" // a redeemed device code presented again
	ReasonOtherClient        = "presented_by_other_client"
	ReasonRevocationEndpoint = "revocation_endpoint" // RFC 7009, at the client's request
)

// Emitter is where the host's security events go (Options.Events), for the browser flows built on the provider;
// nil drops them.
func (p *Provider) Emitter() *events.Emitter { return p.events }

// emit sends one event of this host; a Provider without an Emitter drops it.
func (p *Provider) emit(ctx context.Context, e events.Event) {
	if e.Host == "" {
		e.Host = p.Host
	}
	p.events.Emit(ctx, e)
}

// ClientKind is the events.ClientKind of a client: public when it authenticates with none.
func ClientKind(c *store.Client) string {
	if c.TokenEndpointAuthMethod == AuthNone {
		return events.ClientPublic
	}
	return events.ClientConfidential
}

// issued reports the tokens an Issue stored: token.refreshed for a refresh, token.issued for a grant's first.
func (p *Provider) issued(ctx context.Context, is *Issuance, grantID, userID, scope string) {
	kind := events.TokenIssued
	if is.GrantType == GrantRefreshToken {
		kind = events.TokenRefreshed
	}
	p.emit(ctx, events.Event{Kind: kind, GrantType: is.GrantType, ClientKind: ClientKind(is.Client),
		ClientID: is.Client.ID, UserID: userID, GrantID: grantID, Scope: scope})
}

// scopesDenied reports each scope a policy removed, with the plugin (or the built-in policy) that removed it.
func (p *Provider) scopesDenied(ctx context.Context, flow string, client *store.Client, user *store.User, denied []policy.DeniedScope) {
	for _, d := range denied {
		e := events.Event{Kind: events.PolicyDenied, Hook: policy.HookScopePolicy, Decider: d.DecidedBy,
			ClientID: client.ID, Scope: d.Scope, Reason: d.Reason, GrantType: flow}
		if user != nil {
			e.UserID = user.ID
		}
		p.emit(ctx, e)
	}
}
