package oauth

import (
	"context"
	"errors"
	"strings"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// authCodeGrant serves grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6).
type authCodeGrant struct{}

func (authCodeGrant) Type() string { return GrantAuthorizationCode }

// Token exchanges a code. The code is read first and the request checked against its binding (client,
// redirect_uri, code_verifier), whether the code is still unused or already used: a request that fails a check
// proves nothing about the code but only about the request, so it changes nothing (RFC 9700 §4.5.3: the binding
// is what tells the code's client from whoever else saw the code). Only a request that passes every check and
// finds the code used is a replay, which ends the chain. An unused code is then consumed and its tokens stored in
// one write, so of two racing exchanges exactly one succeeds, and the other is a replay.
func (authCodeGrant) Token(ctx context.Context, p *Provider, r *GrantRequest) (*TokenResponse, *Error) {
	code := r.Params["code"]
	if code == "" {
		return nil, InvalidRequest("code is required")
	}
	// Not one of our codes: no need for a store read to learn that.
	if !strings.HasPrefix(code, PrefixCode) {
		return nil, InvalidGrant("the authorization code is invalid or expired")
	}
	id := Digest(code)
	c, err := p.Codes.Get(ctx, p.Host, id)
	used := errors.Is(err, store.ErrAlreadyUsed)
	switch {
	case used && c == nil:
		// A backend that does not return the used code (the store contract says it must): without the binding
		// the request cannot be told from a stranger's, so it is refused and nothing is revoked.
		return nil, InvalidGrant("the authorization code was already used")
	case used:
		// Not yet a replay: the request must first match the code's binding (below).
	case errors.Is(err, store.ErrNotFound):
		return nil, InvalidGrant("the authorization code is invalid or expired")
	case err != nil:
		return nil, ServerError(err)
	}
	if e := p.checkCodeBinding(c, r, used); e != nil {
		return nil, e
	}
	if e := checkCodeDPoP(ctx, c); e != nil {
		return nil, e
	}
	if used {
		return nil, p.codeReplayed(ctx, c, r.Client)
	}
	// The grant's one scope decision over the code's scopes: a role lost since the authorization is dropped.
	return p.Issue(ctx, &Issuance{GrantType: GrantAuthorizationCode, Flow: policy.FlowAuthorizationCode,
		Client: r.Client, UserID: c.UserID, GrantID: c.GrantID, Requested: c.Scopes, Nonce: c.Nonce,
		Resource: r.Resource, GrantResources: c.Resources,
		AuthTime: c.AuthTime,
		Commit: func(ctx context.Context, toks []*store.Token) error {
			_, err := p.Codes.Consume(ctx, p.Host, id, toks...)
			if errors.Is(err, store.ErrAlreadyUsed) {
				// A racing exchange consumed it first. This request passed the binding checks above against the
				// same record (a code's binding never changes, only UsedAt), so it is a true replay.
				return p.codeReplayed(ctx, c, r.Client)
			}
			return err
		}})
}

// checkCodeBinding applies RFC 6749 §4.1.3 to a code, used or not: it was issued to the authenticated client,
// redirect_uri is the one of the authorization request, and PKCE's code_verifier matches (RFC 7636 §4.6). A
// failure changes nothing in the store: the code stays redeemable if unused, and a used code's grant and tokens
// stay live. It is logged as a security event at warn level, with the presenting client and the reason; never
// the code, the verifier or a secret.
func (p *Provider) checkCodeBinding(c *store.Code, r *GrantRequest, used bool) *Error {
	e := checkCodeOwner(c, r.Client)
	if e == nil {
		e = checkCodeRedirect(c, r.Params["redirect_uri"])
	}
	if e == nil {
		e = checkCodeVerifier(c, r.Params["code_verifier"])
	}
	if e != nil {
		p.log().Warn("authorization code refused: the request does not match its binding", "client_id", r.Client.ID,
			"code_client_id", c.ClientID, "reason", e.Description, "code_used", used)
	}
	return e
}

// checkCodeOwner applies RFC 6749 §4.1.3: the code must have been issued to the authenticated client (for a
// public client, the one named by client_id). Another client is refused with invalid_grant (RFC 6749 §5.2) and
// nothing is revoked: naming another client_id proves nothing about the code, and a public client's client_id is
// no secret, so revoking here would let anyone who saw a code end its grant.
func checkCodeOwner(c *store.Code, client *store.Client) *Error {
	if c.ClientID != client.ID {
		return InvalidGrant("the authorization code was not issued to this client")
	}
	return nil
}

// codeReplayed answers a used code presented again by a request that matches its binding. RFC 6749 §4.1.2: a
// code used twice MUST be refused and SHOULD revoke the tokens issued from it; RFC 9700 §4.2.4 and §4.5: the
// replay may be an attacker's who also holds the verifier, so the whole chain is ended.
func (p *Provider) codeReplayed(ctx context.Context, c *store.Code, client *store.Client) *Error {
	p.revokeGrant(ctx, c.GrantID, ReasonCodeReplayed, client.ID)
	return InvalidGrant("the authorization code was already used")
}

// checkCodeRedirect applies RFC 6749 §4.1.3: redirect_uri is required, and must be identical, when the
// authorization request included it; when it did not, a redirect_uri sent anyway must still be the one the code
// was delivered to. Identical means byte for byte: no normalisation, no loopback port leeway (RFC 9700 §2.1).
func checkCodeRedirect(c *store.Code, sent string) *Error {
	switch {
	case c.RedirectURIGiven && sent == "":
		return InvalidRequest("redirect_uri is required: the authorization request included it")
	case sent != "" && sent != c.RedirectURI:
		return InvalidGrant("redirect_uri does not match the authorization request")
	}
	return nil
}

// checkCodeVerifier applies PKCE: a code issued with a code_challenge needs the matching code_verifier,
// compared in constant time (RFC 7636 §4.6); a missing, malformed or wrong verifier is invalid_grant. A
// code_verifier for a code issued without a challenge is refused too (RFC 9700 §2.1.1 and §4.8.2: otherwise an
// attacker could strip the challenge from the authorization request, a PKCE downgrade).
func checkCodeVerifier(c *store.Code, verifier string) *Error {
	switch {
	case c.CodeChallenge == "" && verifier != "":
		return InvalidGrant("code_verifier sent for an authorization request without code_challenge")
	case c.CodeChallenge == "":
		return nil
	case verifier == "":
		return InvalidGrant("code_verifier is required: the authorization request had a code_challenge")
	case !VerifyPKCE(c.CodeChallengeMethod, c.CodeChallenge, verifier):
		return InvalidGrant("code_verifier does not match the code_challenge")
	}
	return nil
}
