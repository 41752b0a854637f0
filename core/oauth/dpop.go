package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/base64"

	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/store"
)

// TokenTypeDPoP is the token_type of a DPoP-bound access token (RFC 9449 §5.1) and its introspection
// token_type (§6.2).
const TokenTypeDPoP = "DPoP"

// ParamDPoPJKT is the authorization request parameter binding the code to a DPoP key (RFC 9449 §10).
const ParamDPoPJKT = "dpop_jkt"

// Confirmation is the cnf member of an introspection answer (RFC 7800 §3.1): jkt, the thumbprint of the DPoP
// key the token is bound to (RFC 9449 §6.2).
type Confirmation struct {
	JKT string `json:"jkt"`
}

// proofKey carries the accepted DPoP proof of a token request from Provider.Token through the grant to Issue
// and the grants' binding checks. The proof is a fact of the transport, like the client's address, that every
// grant's issuance binds to: carrying it in the request's context keeps each grant from having to forward it.
type proofKey struct{}

func withProof(ctx context.Context, p *dpop.Proof) context.Context {
	if p == nil {
		return ctx
	}
	return context.WithValue(ctx, proofKey{}, p)
}

// proofOf is the token request's accepted DPoP proof; nil when it had none.
func proofOf(ctx context.Context) *dpop.Proof {
	p, _ := ctx.Value(proofKey{}).(*dpop.Proof)
	return p
}

// DPoPAlgorithms are the proof algorithms the host accepts (dpop_signing_alg_values_supported); nil when DPoP
// is off.
func (p *Provider) DPoPAlgorithms() []string {
	if p.dpop == nil {
		return nil
	}
	return dpop.Algorithms
}

// tokenProof checks the DPoP proof of a token request (RFC 9449 §5). A request without a DPoP header gets
// bearer tokens, unless its client is registered with dpop_bound_access_tokens (§5.2). With DPoP off the header
// is ignored, as by a server that does not know it.
func (p *Provider) tokenProof(ctx context.Context, client *store.Client, tr Transport) (*dpop.Proof, *Error) {
	values := tr.Header.Values(dpop.HeaderName)
	if len(values) == 0 {
		if client.DPoPBoundAccessTokens && p.dpop != nil {
			return nil, InvalidDPoPProof("this client must send a DPoP proof with every token request")
		}
		return nil, nil
	}
	if p.dpop == nil {
		return nil, nil
	}
	proof, err := p.dpop.Check(ctx, &dpop.Request{Method: tr.Method, URL: tr.URL, Proofs: values,
		ClientAddr: tr.ClientAddr})
	if err != nil {
		return nil, fromDPoP(err)
	}
	return proof, nil
}

// bindIssued binds what Issue mints to the request's proof (RFC 9449 §5): the access token always, the refresh
// token only for a public client, whose refresh token has no other protection against a thief. A confidential
// client authenticates its refreshes, so its refresh token stays unbound (§5) and it may change keys. It returns
// the proof (nil for none), whose answer is token_type DPoP with the proof's next nonce. It runs before the
// access token is minted, so that a JWT access token can carry the binding (cnf, §6.1).
func bindIssued(ctx context.Context, client *store.Client, toks []*store.Token) *dpop.Proof {
	proof := proofOf(ctx)
	if proof == nil {
		return nil
	}
	for _, t := range toks {
		if t.Kind == store.AccessToken || client.TokenEndpointAuthMethod == AuthNone {
			t.JKT = proof.JKT
		}
	}
	return proof
}

// checkCodeDPoP applies dpop_jkt (RFC 9449 §10): a code requested with it is redeemed only with a proof by that
// key. Like the other binding checks it changes nothing when it fails.
func checkCodeDPoP(ctx context.Context, c *store.Code) *Error {
	if c.DPoPJKT == "" {
		return nil
	}
	if proof := proofOf(ctx); proof == nil || !sameJKT(proof.JKT, c.DPoPJKT) {
		return InvalidDPoPProof("the authorization request bound the code to another DPoP key")
	}
	return nil
}

// checkRefreshDPoP applies RFC 9449 §5 to a bound refresh token: a refresh must come with a proof by the same
// key.
func checkRefreshDPoP(ctx context.Context, old *store.Token) *Error {
	if old.JKT == "" {
		return nil
	}
	if proof := proofOf(ctx); proof == nil || !sameJKT(proof.JKT, old.JKT) {
		return InvalidDPoPProof("the refresh token is bound to another DPoP key")
	}
	return nil
}

func sameJKT(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// pushProof applies RFC 9449 §10.1 to a pushed authorization request: a DPoP header there is a proof for the
// pushed authorization request endpoint, checked as at the token endpoint; its key binds the code as dpop_jkt
// would. When the pushed parameters carry dpop_jkt too, it must be that key's thumbprint. With DPoP off the
// header is ignored, as at the token endpoint. It returns the nonce to announce with the answer ("" for none).
func (p *Provider) pushProof(ctx context.Context, params Params, tr Transport) (string, *Error) {
	values := tr.Header.Values(dpop.HeaderName)
	if len(values) == 0 || p.dpop == nil {
		return "", nil
	}
	proof, err := p.dpop.Check(ctx, &dpop.Request{Method: tr.Method, URL: tr.URL, Proofs: values,
		ClientAddr: tr.ClientAddr})
	if err != nil {
		return "", fromDPoP(err)
	}
	if jkt := params[ParamDPoPJKT]; jkt != "" && !sameJKT(jkt, proof.JKT) {
		return "", InvalidDPoPProof("dpop_jkt is not the thumbprint of the key of the DPoP proof")
	}
	params[ParamDPoPJKT] = proof.JKT
	return proof.NextNonce, nil
}

// checkDPoPJKT reads dpop_jkt (RFC 9449 §10): a base64url SHA-256 thumbprint, 43 characters.
func (p *Provider) checkDPoPJKT(params Params, r *AuthorizeRequest) *Error {
	v := params[ParamDPoPJKT]
	if v == "" || p.dpop == nil {
		return nil
	}
	if b, err := base64.RawURLEncoding.Strict().DecodeString(v); err != nil || len(b) != 32 || len(v) != 43 {
		return InvalidRequest("dpop_jkt must be a base64url SHA-256 JWK thumbprint")
	}
	r.DPoPJKT = v
	return nil
}

// Presented is how an access token reached a protected resource: the scheme of its Authorization header
// (SchemeBearer, also for a token in a form body, or SchemeDPoP) and the request's transport facts, which a
// DPoP proof is checked against (RFC 9449 §7).
type Presented struct {
	Scheme    string
	Transport Transport
}

// CheckPresented applies a token's binding at a protected resource (RFC 9449 §7): a DPoP-bound token only under
// the DPoP scheme with a valid proof, by its key, covering it (ath); never as a Bearer token (§7.2). It returns
// the nonce to announce with the answer. Errors under the DPoP scheme, or for a bound token, come in their DPoP
// form (DPoPResourceError).
func CheckPresented(ctx context.Context, checker *dpop.Checker, tok *store.Token, value string, pr Presented) (string, *Error) {
	if pr.Scheme != SchemeDPoP {
		if tok.JKT != "" {
			return "", DPoPResourceError(InvalidToken("the access token is DPoP-bound: present it with the DPoP scheme and a proof"))
		}
		return "", nil
	}
	if checker == nil || tok.JKT == "" {
		return "", DPoPResourceError(InvalidToken("the access token is not DPoP-bound"))
	}
	proof, err := checker.Check(ctx, &dpop.Request{Method: pr.Transport.Method, URL: pr.Transport.URL,
		Proofs: pr.Transport.Header.Values(dpop.HeaderName), AccessToken: value, ClientAddr: pr.Transport.ClientAddr})
	if err != nil {
		return "", DPoPResourceError(fromDPoP(err))
	}
	if !sameJKT(proof.JKT, tok.JKT) {
		return "", DPoPResourceError(InvalidDPoPProof("the DPoP proof is not by the key the access token is bound to"))
	}
	return proof.NextNonce, nil
}
