package oauth

import (
	"errors"
	"time"

	"github.com/assentry/assentry/core/ratelimit"
)

// Throttling of failed client authentications. RFC 6749 §2.3.1: "the authorization server MUST protect any
// endpoint utilizing it [a client password] against brute force attacks." Every endpoint that authenticates
// clients (token, revocation, introspection, device authorization) goes through AuthenticateClient, so the
// throttle lives there, once, with one pair of buckets per host:
//
//   - per (client_id, client address): a guesser at one address is stopped without locking the real client out,
//     since the real client's requests come from another address and have their own bucket (a bucket per
//     client_id alone would let anyone lock any client out);
//   - per client address, whatever the client_id: a guesser cannot try many client_ids at each one's pace.
//
// Only guesses are counted: a secret that does not verify, or a client_id that is unknown (counted like a known
// one, so the 429 tells nothing about which client_ids exist). A refusal that guesses nothing (no credentials, a
// malformed header, the wrong method for the client, such as a public client trying Basic as golang.org/x/oauth2's
// auto-detection does) is not. A success neither spends a token nor refills the bucket: resetting on success
// would hand a guesser that shares an address (a NAT) with the real client a fresh budget at each of the real
// client's requests, and the buckets refill on their own anyway.
//
// A throttled request is answered 429 before the client is read or its secret compared: the work is the same
// whatever the secret, and the answer says nothing about it.

// ClientAuthLimits are the token buckets of failed client authentications, shared by every endpoint that
// authenticates clients (token, revocation, introspection, device authorization).
type ClientAuthLimits struct {
	// PerClientIP counts failures per (client_id, client address).
	PerClientIP *ratelimit.Limiter
	// PerIP counts failures per client address, whatever the client_id.
	PerIP *ratelimit.Limiter
}

// claimedID is the client_id a request claims, before anything is checked: the Basic user-id when the
// Authorization header decodes (the header wins, as in authenticateHeader), else the body's client_id. It is ""
// when there is none; only the address is then checked.
func claimedID(cr ClientCredentials) string {
	if cr.Authorization != "" {
		id, _, _ := ParseBasicAuth(cr.Authorization)
		return id
	}
	return cr.ID
}

// pairKey is the key of (client_id, address) in PerClientIP. The client_id goes in as its digest, so that an
// attacker's long made-up ids cost the limiter a fixed size each.
func pairKey(id, addr string) string { return Digest(id) + " " + addr }

// authWait is how long a client authentication claiming id from addr must wait before it is attempted; 0 when
// it may be attempted now.
func (p *Provider) authWait(id, addr string) time.Duration {
	wait := p.authLimits.PerIP.Wait(addr)
	if id != "" {
		wait = max(wait, p.authLimits.PerClientIP.Wait(pairKey(id, addr)))
	}
	return wait
}

// authFailed counts a guess that failed, claiming id from addr, in both buckets, and logs (once each time, and
// without the secret) when it used up the pair's or the address's budget.
func (p *Provider) authFailed(id, addr string) {
	if p.authLimits.PerClientIP.Spend(pairKey(id, addr)) {
		p.log().Warn("client authentication throttled: too many failures for this client_id from this address",
			"client_id", id, "ip", addr)
	}
	if p.authLimits.PerIP.Spend(addr) {
		p.log().Warn("client authentication throttled: too many failures from this address", "ip", addr)
	}
}

// tooManyClientAuthFailures is the answer while throttled: 429 with Retry-After (RFC 6585 §4), code
// temporarily_unavailable as every rate limit at a JSON endpoint (errors_server.go says why).
func tooManyClientAuthFailures(wait time.Duration) *Error {
	return TooManyRequests("too many failed client authentications from this address; retry later", wait)
}

// guessed reports whether e is a client authentication failure that counts against the limits (guessFailed).
func (e *Error) guessed() bool {
	var f *authFailure
	return e != nil && errors.As(e.cause, &f) && f.guess
}
