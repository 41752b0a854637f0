package config

import (
	"time"

	"github.com/assentry/assentry/core/dpop"
)

// DPoP nonce modes (dpop_nonce).
const (
	DPoPNonceOff      = "off"
	DPoPNonceRequired = "required"
)

// DPoPSettings are a host's DPoP settings (RFC 9449), resolved.
type DPoPSettings struct {
	// RequireNonce: every proof must carry a current server nonce (§8).
	RequireNonce bool
	// ProofWindow bounds |iat - now| of a proof, and how long its jti is remembered.
	ProofWindow time.Duration
	// NonceLifetime is the length of a nonce window; a nonce is good for one to two of them.
	NonceLifetime time.Duration
	// ReplayMax bounds the live jti records one instance keeps for the host; past it, proofs need a nonce.
	ReplayMax int
}

// dpop resolves the dpop_* keys.
func (b *hostBuilder) dpop(h Host, hs *HostSettings) {
	d := &hs.DPoP
	switch h.DPoPNonce {
	case "", DPoPNonceOff:
	case DPoPNonceRequired:
		d.RequireNonce = true
	default:
		b.errorf("dpop_nonce", "%q is not one of required, off", h.DPoPNonce)
	}
	d.ProofWindow = ttl(h.DPoPProofWindow, dpop.DefaultWindow)
	if d.ProofWindow < time.Second || d.ProofWindow > 10*time.Minute {
		b.errorf("dpop_proof_window", "must be between 1s and 10m, got %s", d.ProofWindow)
	}
	d.NonceLifetime = ttl(h.DPoPNonceLifetime, dpop.DefaultNonceLifetime)
	if d.NonceLifetime < 10*time.Second || d.NonceLifetime > time.Hour {
		b.errorf("dpop_nonce_lifetime", "must be between 10s and 1h, got %s", d.NonceLifetime)
	}
	d.ReplayMax = dpop.DefaultMaxProofs
	if h.DPoPReplayMax != nil {
		d.ReplayMax = *h.DPoPReplayMax
		if d.ReplayMax < 1 {
			b.errorf("dpop_replay_max", "must be at least 1, got %d", d.ReplayMax)
		}
	}
}
