package assembly

import (
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// catalogue is the host's scope catalogue: the built-in scopes, its roles, and the scopes of its configuration.
func catalogue(h *config.HostSettings) *oauth.Catalogue {
	var extra []oauth.ScopeInfo
	for _, sc := range h.Scopes {
		extra = append(extra, oauth.ScopeInfo{Name: sc.Name, Title: sc.Title, Description: sc.Description})
	}
	return oauth.NewCatalogue(h.Roles, extra)
}

// newProvider builds a host's OAuth core.
func newProvider(h *config.HostSettings, st store.Store, clients oauth.ClientSource, scopes *oauth.Catalogue,
	chain policy.Policy, layer oauth.OIDC, jwtSigner oauth.JWTSigner, grants []oauth.Grant, em *events.Emitter,
	dp *dpop.Checker, o Options) (*oauth.Provider, error) {
	return oauth.New(oauth.Options{
		Host: h.ID,
		Settings: oauth.Settings{
			Issuer: h.Issuer, AccessTokenTTL: h.AccessTokenTTL, RefreshTokenTTL: h.RefreshTokenTTL, CodeTTL: h.CodeTTL,
			DeviceCodeTTL: h.DeviceCodeTTL, RefreshReuseGrace: h.RefreshTokenReuseGrace, GrantTypes: h.GrantTypes, ResponseTypes: h.ResponseTypes,
			RequireCodeChallenge: h.RequireCodeChallenge, CodeChallengeMethods: h.CodeChallengeMethods, OOBRequirePKCE: h.OOBRequirePKCE,
			PushedRequestTTL: h.PushedRequestTTL, RequirePushedRequests: h.RequirePushedAuthorizationRequests,
			TermsURL: h.TermsURL, PolicyURL: h.PolicyURL, ServiceDocumentation: h.ServiceDocumentation,
			Resources: resources(h), JWTAccessTokenAlg: h.IDTokenSigningAlg,
		},
		JWTSigner: jwtSigner,
		Clients:   clients, Users: st.Users(), Grants: st.Grants(), Tokens: st.Tokens(), Codes: st.Codes(),
		DeviceCodes: st.DeviceCodes(), Consents: st.Consents(), Interactions: st.Interactions(),
		Scopes: scopes, Policy: chain, OIDC: layer, Handlers: grants, Now: o.Now, Log: o.Log.With("host", h.ID), Events: em, DPoP: dp,
		// One pair of buckets per host, shared by the four endpoints that authenticate clients.
		ClientAuthLimits: oauth.ClientAuthLimits{PerClientIP: limiter(h.ClientAuthPerClientIP, o.Now),
			PerIP: limiter(h.ClientAuthPerIP, o.Now)},
	})
}

// resources are the host's protected resources (RFC 8707) as the OAuth core takes them.
func resources(h *config.HostSettings) []oauth.Resource {
	out := make([]oauth.Resource, len(h.Resources))
	for i, r := range h.Resources {
		out[i] = oauth.Resource{URI: r.URI, AccessTokenFormat: r.AccessTokenFormat, Default: r.Default}
	}
	return out
}
