package oauth

import (
	"context"
	"errors"
	"github.com/assentry/assentry/policy"
	"strings"

	"github.com/assentry/assentry/store"
)

// exchangeCode serves grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6) for an authenticated
// client. The code is consumed before anything else is checked: consumption is the one atomic read of it, and a
// code that fails a check here is spent (it was presented with the wrong binding, so it is not to be trusted).
func (p *Provider) exchangeCode(ctx context.Context, client *store.Client, params Params) (*TokenResponse, *Error) {
	code := params["code"]
	if code == "" {
		return nil, InvalidRequest("code is required")
	}
	// Not one of our codes: no need for a write transaction to learn that.
	if !strings.HasPrefix(code, PrefixCode) {
		return nil, InvalidGrant("the authorization code is invalid or expired")
	}
	c, err := p.Codes.Consume(ctx, p.Host, Digest(code))
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		// RFC 6749 §4.1.2: a code used twice MUST be refused and SHOULD revoke the tokens issued from it;
		// RFC 9700 §4.2.4 and §4.5: the replay may be an attacker's, so the whole chain is ended.
		if c != nil {
			p.revokeGrant(ctx, c.GrantID, "authorization code replayed")
		}
		return nil, InvalidGrant("the authorization code was already used")
	case errors.Is(err, store.ErrNotFound):
		return nil, InvalidGrant("the authorization code is invalid or expired")
	case err != nil:
		return nil, ServerError(err)
	}
	if c.ClientID != client.ID {
		// RFC 6749 §4.1.3: the code must have been issued to the authenticated client. Another client holding it
		// means the code leaked: end its grant too.
		p.revokeGrant(ctx, c.GrantID, "authorization code presented by another client")
		return nil, InvalidGrant("the authorization code was not issued to this client")
	}
	if e := checkCodeRedirect(c, params["redirect_uri"]); e != nil {
		return nil, e
	}
	if e := checkCodeVerifier(c, params["code_verifier"]); e != nil {
		return nil, e
	}
	user, e := p.liveUser(ctx, c.UserID)
	if e != nil {
		return nil, e
	}
	// The grant's one scope decision (map_roles, scope_policy): a role lost since the authorization is dropped.
	scopes, claims, e := p.grantScopes(ctx, policy.FlowAuthorizationCode, client, user, c.Scopes)
	if e != nil {
		return nil, e
	}
	resp, toks, e := p.mint(ctx, mintRequest{grantType: GrantAuthorizationCode, client: client, user: user,
		grantID: c.GrantID, atScopes: scopes, rtScopes: scopes, refresh: p.mayRefresh(client, scopes),
		nonce: c.Nonce, authTime: c.AuthTime, claims: claims})
	if e != nil {
		return nil, e
	}
	// One write for both tokens; the store extends the grant's expiry to cover them. A grant revoked since the
	// code was consumed (a concurrent replay) refuses the write.
	switch err := p.Tokens.Put(ctx, toks...); {
	case errors.Is(err, store.ErrRevoked), errors.Is(err, store.ErrNotFound):
		return nil, InvalidGrant("the authorization grant was revoked")
	case err != nil:
		return nil, ServerError(err)
	}
	return resp, nil
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
