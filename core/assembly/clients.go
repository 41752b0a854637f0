package assembly

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
)

// configClients are the static clients of the host's configuration section.
func (s *Services) configClients() []oauth.ConfigClient { return configClients(s.Settings) }

// CheckClients validates the static clients of h as Prepare would store them, without a store, for `assentry
// config check`: every client in error is reported, each naming its id.
func CheckClients(h *config.HostSettings) []error {
	return oauth.CheckConfigClients(h.GrantTypes, configClients(h))
}

// configClients are the static clients of h. A client whose secret is in an environment variable gets the digest
// of the variable's value now.
func configClients(h *config.HostSettings) []oauth.ConfigClient {
	var declared []oauth.ConfigClient
	for _, c := range h.Clients {
		digest := c.SecretSHA256
		if c.SecretEnv != "" {
			sum := sha256.Sum256([]byte(os.Getenv(c.SecretEnv)))
			digest = hex.EncodeToString(sum[:])
		}
		declared = append(declared, oauth.ConfigClient{SecretSHA256: digest, SecretEnv: c.SecretEnv, Spec: oauth.ClientSpec{
			ID: c.ID, Name: c.Name, ClientURI: c.ClientURI, LogoURI: c.LogoURI, TOSURI: c.TOSURI, PolicyURI: c.PolicyURI,
			RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, GrantTypes: c.GrantTypes,
			Scopes: strings.Fields(c.Scope), AuthMethod: c.TokenEndpointAuthMethod,
			Public: c.TokenEndpointAuthMethod == oauth.AuthNone, Introspect: c.Introspect, Untrusted: c.Untrusted,
			IDTokenAlg: c.IDTokenSignedResponseAlg, RequirePAR: c.RequirePushedAuthorizationRequests,
			Resources: c.Resources, AccessTokenFormat: c.AccessTokenFormat, DPoPBound: c.DPoPBoundAccessTokens}})
	}
	return declared
}

// syncClients makes the stored config-declared clients those of the host's configuration section
// (oauth.Clients.SyncConfig: those another live instance still declares are kept).
func (s *Services) syncClients(ctx context.Context) error {
	return s.Clients.SyncConfig(ctx, s.configClients())
}

// DeclaredClients are the ids of the static clients the host's configuration declares: what a server announces
// in the store's instance registry before it syncs them.
func (s *Services) DeclaredClients() []string {
	ids := make([]string, len(s.Settings.Clients))
	for i, c := range s.Settings.Clients {
		ids[i] = c.ID
	}
	return ids
}

// TendClients is a server's periodic care of the host's static clients once it has renewed its announcement:
// it writes back a declared client that is missing (oauth.Clients.RestoreConfig) and deletes the
// config-declared clients that no live instance declares any more (oauth.Clients.PruneConfig). It returns the
// ids it restored and removed.
func (s *Services) TendClients(ctx context.Context) (restored, removed []string, err error) {
	if restored, err = s.Clients.RestoreConfig(ctx, s.configClients()); err != nil {
		return restored, nil, fmt.Errorf("host %s: restoring static clients: %w", s.Settings.ID, err)
	}
	if removed, err = s.Clients.PruneConfig(ctx, s.DeclaredClients()); err != nil {
		return restored, removed, fmt.Errorf("host %s: removing undeclared static clients: %w", s.Settings.ID, err)
	}
	return restored, removed, nil
}
