package store

import (
	"context"
	"time"
)

// DPoPProofStore remembers the jti of the DPoP proofs a host accepted, so that a proof is used once even when
// several instances serve the host (RFC 9449 §11.1: the server keeps the jti values it saw for as long as a proof
// with that iat would still be accepted). Records carry nothing but their key and expiry.
type DPoPProofStore interface {
	// Record remembers jti of host until expiresAt. ErrAlreadyUsed when a live record of it exists: the proof was
	// seen before, and nothing is written. Of racing recorders of one jti exactly one gets nil. An expired record
	// is treated as absent (as every record of the store), so recording it again succeeds.
	Record(ctx context.Context, host, jti string, expiresAt time.Time) error
}
