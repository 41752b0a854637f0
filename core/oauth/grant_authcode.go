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

// Token exchanges a code. The code is read first and checked against its binding (client, redirect_uri,
// code_verifier): a request that fails a check leaves the code unused, since it proves nothing about the code
// but only about the request. It is then consumed and its tokens stored in one write, so of two racing
// exchanges exactly one succeeds, and the other is a replay.
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
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		return nil, p.codeReplayed(ctx, c)
	case errors.Is(err, store.ErrNotFound):
		return nil, InvalidGrant("the authorization code is invalid or expired")
	case err != nil:
		return nil, ServerError(err)
	}
	if e := p.checkOwner(ctx, c.ClientID, c.GrantID, r.Client, "authorization code"); e != nil {
		return nil, e
	}
	if e := checkCodeRedirect(c, r.Params["redirect_uri"]); e != nil {
		return nil, e
	}
	if e := checkCodeVerifier(c, r.Params["code_verifier"]); e != nil {
		return nil, e
	}
	// The grant's one scope decision over the code's scopes: a role lost since the authorization is dropped.
	return p.Issue(ctx, &Issuance{GrantType: GrantAuthorizationCode, Flow: policy.FlowAuthorizationCode,
		Client: r.Client, UserID: c.UserID, GrantID: c.GrantID, Requested: c.Scopes, Nonce: c.Nonce,
		AuthTime: c.AuthTime,
		Commit: func(ctx context.Context, toks []*store.Token) error {
			used, err := p.Codes.Consume(ctx, p.Host, id, toks...)
			if errors.Is(err, store.ErrAlreadyUsed) {
				return p.codeReplayed(ctx, used)
			}
			return err
		}})
}

// codeReplayed answers a code presented again. RFC 6749 §4.1.2: a code used twice MUST be refused and SHOULD
// revoke the tokens issued from it; RFC 9700 §4.2.4 and §4.5: the replay may be an attacker's, so the whole
// chain is ended.
func (p *Provider) codeReplayed(ctx context.Context, c *store.Code) *Error {
	if c != nil {
		p.revokeGrant(ctx, c.GrantID, "authorization code replayed")
	}
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
