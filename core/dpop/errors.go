package dpop

import (
	"errors"
	"time"
)

// Error codes of RFC 9449 §12.2.
const (
	// CodeInvalidProof: the DPoP proof is missing, malformed, or does not match the request (§4.3, §7.1).
	CodeInvalidProof = "invalid_dpop_proof"
	// CodeUseNonce: the proof must carry the server's nonce, sent in the DPoP-Nonce header (§8, §9).
	CodeUseNonce = "use_dpop_nonce"
)

// Error is a refusal of a proof: its code, a description that quotes nothing from the request, and for
// use_dpop_nonce the nonce to send in the DPoP-Nonce header. The protocol layer turns it into its own error
// with the status of the endpoint (400 at the token endpoint, 401 at a resource, §7.1).
type Error struct {
	Code        string
	Description string
	// Nonce is the fresh nonce to answer with (use_dpop_nonce); "" otherwise.
	Nonce string
	cause error
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

// Unwrap returns the internal cause (a store failure), logged and never sent.
func (e *Error) Unwrap() error { return e.cause }

// invalid is an invalid_dpop_proof refusal.
func invalid(desc string) *Error { return &Error{Code: CodeInvalidProof, Description: desc} }

// useNonce is a use_dpop_nonce refusal carrying the nonce to retry with.
func useNonce(desc, nonce string) *Error {
	return &Error{Code: CodeUseNonce, Description: desc, Nonce: nonce}
}

// Busy is Check's answer when a proof that passed every check cannot be recorded now, so it is not accepted: a
// proof accepted without its jti recorded could be replayed (RFC 9449 §11.1). It is not the proof's fault and no
// nonce would help: the protocol layer answers 503 (the instance's replay cache is full) or 429 (the client's
// address recorded too many proofs), with Retry-After.
type Busy struct {
	Description string
	RetryAfter  time.Duration
	// Limited is true for the per-address limit (429), false for the instance's bound (503).
	Limited bool
}

func (b *Busy) Error() string { return "dpop: " + b.Description }

// ErrStore wraps a failure of the jti store or the nonce secrets: the server's fault, not the proof's.
var ErrStore = errors.New("dpop: store failure")
