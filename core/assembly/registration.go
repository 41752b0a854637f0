package assembly

import (
	"crypto/x509"

	"github.com/assentry/assentry/core/cimd"
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

var _ registration.Fetcher = (*cimd.Fetcher)(nil)

// newDocuments builds a host's Client ID Metadata Document source; nil when client_id_metadata_documents is off.
// The documents pass the registration rules of the host (its grant and response types, the built-in rules
// while builtin_policy.validate_registration is on) and its validate_registration hook, whether or not
// registration is on.
func newDocuments(h *config.HostSettings, chain policy.Policy, em *events.Emitter, o Options) (*registration.Documents, error) {
	c := h.ClientIDMetadataDocuments
	if !c.Enabled {
		return nil, nil
	}
	var roots *x509.CertPool
	if c.TestRootCA != "" {
		var err error
		if roots, err = config.LoadRootCA(c.TestRootCA); err != nil {
			return nil, err
		}
	}
	f := cimd.New(cimd.Options{AllowNetworks: c.AllowNetworks, MaxBytes: c.MaxBytes, Timeout: c.Timeout,
		CacheMinAge: c.CacheMinAge, CacheMaxAge: c.CacheMaxAge, CacheEntries: c.CacheEntries,
		MaxFetches: c.MaxFetches, MaxFetchesPerHost: c.MaxFetchesPerHost, FailureTTL: c.FailureCacheTTL,
		FailureEntries: c.FailureCacheEntries, RootCAs: roots, Now: o.Now})
	on, set := h.BuiltinPolicy[policy.HookValidateRegistration]
	return registration.NewDocuments(registration.DocumentOptions{Host: h.ID, Fetcher: f, Policy: chain, Events: em, Now: o.Now,
		NoDefaultRules: set && !on, Rules: registration.Rules{GrantTypes: h.GrantTypes, ResponseTypes: h.ResponseTypes,
			IDTokenAlgs: o.KeyAlgorithms}})
}
