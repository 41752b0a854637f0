package oauth

import (
	"errors"
	"net/http"
	"strings"

	"github.com/assentry/assentry/core/dpop"
)

// Error codes of RFC 9449 §12.2.
const (
	CodeInvalidDPoPProof = dpop.CodeInvalidProof
	CodeUseDPoPNonce     = dpop.CodeUseNonce
)

// InvalidDPoPProof: the DPoP proof of a token request is missing, malformed or does not fit the request, the
// code or the refresh token (400, RFC 9449 §5).
func InvalidDPoPProof(desc string) *Error {
	return newErr(CodeInvalidDPoPProof, http.StatusBadRequest, desc)
}

// UseDPoPNonce: the proof must carry the server's nonce, which the answer carries in DPoP-Nonce (400 at the
// token endpoint, RFC 9449 §8).
func UseDPoPNonce(desc, nonce string) *Error {
	e := newErr(CodeUseDPoPNonce, http.StatusBadRequest, desc)
	e.dpopNonce = nonce
	return e
}

// DPoPNonce is the nonce to send in the DPoP-Nonce header with this error; "" for none.
func (e *Error) DPoPNonce() string { return e.dpopNonce }

// dpopChallengeParams are the auth-params every DPoP challenge carries besides the error: the algorithms the
// server accepts (RFC 9449 §7.1).
func dpopChallengeParams(code, desc string) string {
	p := `algs="` + strings.Join(dpop.Algorithms, " ") + `"`
	if code == "" {
		return p
	}
	return errorParams(code, desc) + ", " + p
}

// DPoPResourceError turns a refusal at a protected resource into its DPoP form (RFC 9449 §7.1, §9): a `DPoP`
// challenge naming the error and the algorithms, the DPoP-Nonce header kept; 401 for a missing or invalid token,
// an invalid proof and use_dpop_nonce.
func DPoPResourceError(e *Error) *Error {
	if e.ServerFailure() || e.Status == http.StatusTooManyRequests {
		return e
	}
	// invalid_request keeps 400 and insufficient_scope 403 (RFC 6750 §3.1); the token and proof errors are 401.
	if e.Code != CodeInsufficientScope && e.Code != CodeInvalidRequest {
		e.Status = http.StatusUnauthorized
	}
	return e.withChallenge(SchemeDPoP, true, dpopChallengeParams(e.Code, e.Description))
}

// fromDPoP turns what dpop.Checker.Check returned into the answer of the token endpoint: invalid_dpop_proof
// or use_dpop_nonce (400), temporarily_unavailable (503, or 429 for an address over its limit) for a proof that
// cannot be recorded now, or a server failure for a store that failed.
func fromDPoP(err error) *Error {
	var de *dpop.Error
	var busy *dpop.Busy
	switch {
	case errors.As(err, &busy) && busy.Limited:
		return TooManyRequests(busy.Description, busy.RetryAfter)
	case errors.As(err, &busy):
		// The instance's replay cache is full: the proof is fine, the server cannot record it (RFC 9449 §11.1).
		return TemporarilyUnavailable(busy.Description).WithRetryAfter(busy.RetryAfter)
	case !errors.As(err, &de):
		return ServerError(err)
	}
	if de.Code == dpop.CodeUseNonce {
		return UseDPoPNonce(de.Description, de.Nonce)
	}
	return InvalidDPoPProof(de.Description)
}
