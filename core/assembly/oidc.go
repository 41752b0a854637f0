package assembly

import (
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/oidc"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// newOIDC builds the OpenID Connect layer: signing keys, id_tokens at the token endpoint, userinfo, the subject
// of tokens, id_token_hint verification and RP-initiated logout.
func (s *Services) newOIDC(st store.Store, clients oauth.ClientSource, chain policy.Policy, o Options) (*oidc.Layer, error) {
	h := s.Settings
	// A store that several instances share has leases: key writes then happen under the host's, one instance at
	// a time (token.Options.Leases).
	leases, _ := st.(store.Leases)
	keys, err := token.New(token.Options{Host: h.ID, Keys: st.Keys(), KEK: h.KeyEncryptionKeyBytes,
		Algorithms: o.KeyAlgorithms, RotationInterval: h.KeyRotationInterval, PublishAhead: h.KeyPublishAhead,
		// A retired key stays published as long as a token it signed lives: id_tokens and JWT access tokens.
		Leases: leases, MaxTokenTTL: max(h.IDTokenTTL, h.AccessTokenTTL) + time.Hour, Now: o.Now, Log: o.Log,
		Events: s.Events})
	if err != nil {
		return nil, err
	}
	subjects := oidc.Subjects{Format: h.SubjectFormat, Domain: h.Registration.LegacyHost}
	s.Keys = keys
	s.IDTokens = &oidc.IDTokens{Issuer: h.Issuer, TTL: h.IDTokenTTL, DefaultAlg: h.IDTokenSigningAlg,
		Subjects: subjects, Signer: keys, AtHash: token.AtHash, OnRefresh: h.RefreshIDToken, Policy: chain, Now: o.Now}
	s.UserInfo = &oidc.UserInfo{Host: h.ID, Issuer: h.Issuer, Tokens: st.Tokens(), Users: st.Users(), Clients: clients, Subjects: subjects,
		Policy: chain}
	s.Logout = &oidc.Logout{Issuer: h.Issuer, Clients: clients, Keys: keys}
	return &oidc.Layer{IDTokens: s.IDTokens, Subjects: subjects, Logout: s.Logout}, nil
}
