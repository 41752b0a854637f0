package assembly

import (
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/store"
)

// newDPoP builds a host's DPoP proof checker (RFC 9449), shared by its token endpoint and its userinfo endpoint:
// the jti records and the nonce secrets are in the store, so every instance serving the host refuses a proof
// another one accepted and takes the nonces another one issued. The per-address limit on recorded proofs is the
// instance's, like its replay bound.
func newDPoP(h *config.HostSettings, st store.Store, o Options) *dpop.Checker {
	return &dpop.Checker{Host: h.ID, Window: h.DPoP.ProofWindow, RequireNonce: h.DPoP.RequireNonce, Now: o.Now,
		Nonces: &dpop.Nonces{Host: h.ID, Lifetime: h.DPoP.NonceLifetime,
			Secrets: &dpop.StoredSecrets{Host: h.ID, Keys: st.Keys(), Now: o.Now}},
		Replay:     &dpop.Replay{Host: h.ID, Proofs: st.DPoPProofs(), Max: h.DPoP.ReplayMax, Log: o.Log},
		PerAddress: limiter(h.DPoPProofsPerIP, o.Now)}
}
