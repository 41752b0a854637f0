// Package events is the stream of security-relevant things the core does: logins, consents, tokens issued,
// refreshed, revoked and reused, clients registered and banned, policy denials, key rotations and management
// actions. The core reports each one as an Event to a Sink; the audit log and the metrics are sinks.
//
// An Event carries identifiers (user id, client id) for the audit log; a sink that labels metrics must use only
// the bounded fields (Kind, Host, GrantType, ClientKind, Outcome, Reason, Hook, Decider, Op).
//
// It imports nothing of the module and nothing beyond the standard library.
package events
