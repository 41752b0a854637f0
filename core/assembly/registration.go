package assembly

import (
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// newRegistry builds a host's dynamic client registration; nil when registration.key is unset. The id_token
// algorithms a client may ask for are those the host keeps keys for.
func newRegistry(h *config.HostSettings, st store.Store, chain policy.Policy, em *events.Emitter, o Options) (*registration.Registry, error) {
	r := h.Registration
	if !r.Enabled {
		return nil, nil
	}
	on, set := h.BuiltinPolicy[policy.HookValidateRegistration]
	return registration.New(registration.Options{Host: h.ID, Issuer: h.Issuer, Key: r.Key, Algorithm: r.Algorithm,
		TTL: r.TTL, LegacyHost: r.LegacyHost, InitialAccessToken: r.InitialAccessToken, Revoked: st.RevokedClients(),
		NoDefaultRules: set && !on, Policy: chain, Now: o.Now, Events: em,
		Rules: registration.Rules{GrantTypes: h.GrantTypes, ResponseTypes: h.ResponseTypes,
			IDTokenAlgs: o.KeyAlgorithms}})
}
