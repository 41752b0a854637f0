package assembly

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"

	"github.com/assentry/assentry/core/oauth"
)

// syncClients makes the stored config-declared clients those of the host's configuration section. A client
// whose secret is in an environment variable is stored with the digest of the variable's value now.
func (s *Services) syncClients(ctx context.Context) error {
	var declared []oauth.ConfigClient
	for _, c := range s.Settings.Clients {
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
			IDTokenAlg: c.IDTokenSignedResponseAlg, DPoPBound: c.DPoPBoundAccessTokens}})
	}
	return s.Clients.SyncConfig(ctx, declared)
}
