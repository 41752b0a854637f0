package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// isScopeToken reports whether s is an RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ).
func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// roles resolves the host's role catalogue and default role. Role names are also scopes (docs/architecture.md §9), so
// they follow the scope-token charset and may not take a built-in scope's name.
func (b *hostBuilder) roles(h Host, hs *HostSettings) {
	names, def := []string{DefaultRole}, DefaultRole
	if h.Roles != nil {
		if h.Roles.Names != nil {
			names = h.Roles.Names
			if len(names) == 0 {
				b.errorf("roles.names", "must list at least one role")
			}
		}
		if h.Roles.Default != "" {
			def = h.Roles.Default
		}
	}
	for i, n := range names {
		key := fmt.Sprintf("roles.names[%d]", i)
		switch {
		case n == "":
			b.errorf(key, "must not be empty")
		case !isScopeToken(n):
			b.errorf(key, "%q must be a scope token (no spaces, quotes or backslashes): role names are also scopes", n)
		case isBuiltinScope(n):
			b.errorf(key, "%q is a built-in scope; role names are also scopes and must not clash", n)
		case slices.Index(names, n) < i:
			b.errorf(key, "%q is listed twice", n)
		}
	}
	// The default role is what the xmpp scope grants, so it must exist in the catalogue.
	if len(names) > 0 && !slices.Contains(names, def) {
		b.errorf("roles.default", "%q is not one of roles.names", def)
	}
	hs.Roles, hs.DefaultRole = slices.Clone(names), def
}

// scopes resolves the extra scopes of the consent page. An entry naming a built-in scope (openid, profile,
// email, offline_access, xmpp) or a role only gives it a title and description for the consent page; its
// meaning stays the server's, so such an entry must set at least one of them.
func (b *hostBuilder) scopes(h Host, hs *HostSettings) {
	for i, s := range h.Scopes {
		key := fmt.Sprintf("scopes[%d]", i)
		switch {
		case s.Name == "":
			b.errorf(key+".name", "required")
			continue
		case !isScopeToken(s.Name):
			b.errorf(key+".name", "%q must be a scope token (RFC 6749 §3.3: no spaces, quotes or backslashes)", s.Name)
		case slices.IndexFunc(h.Scopes, func(o Scope) bool { return o.Name == s.Name }) < i:
			b.errorf(key+".name", "%q is defined twice", s.Name)
		case isBuiltinScope(s.Name) && s.Title == "" && s.Description == "":
			b.errorf(key, "%q is built in: an entry for it can only change its title and description, and sets "+
				"neither", s.Name)
		}
	}
	hs.Scopes = slices.Clone(h.Scopes)
}

// clients resolves the static clients: secrets (a client_secret_env secret is hashed here, so the rest of the
// server only ever sees SecretSHA256), authentication method, grant types and URIs.
func (b *hostBuilder) clients(h Host, hs *HostSettings) {
	for i, c := range h.Clients {
		key := fmt.Sprintf("clients[%d]", i)
		at := func(field string) string { return key + "." + field }
		switch {
		case c.ID == "":
			b.errorf(at("client_id"), "required")
		case strings.IndexFunc(c.ID, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0:
			b.errorf(at("client_id"), "%q must be printable ASCII (RFC 6749 VSCHAR)", c.ID)
		case slices.IndexFunc(h.Clients, func(o Client) bool { return o.ID == c.ID }) < i:
			b.errorf(at("client_id"), "%q is declared twice", c.ID)
		}

		// A secret is given by hash or by the name of a variable holding it, never inline: the file is often
		// world-readable or committed, and the store keeps only hashes anyway (docs/architecture.md §3).
		hasSecret := c.SecretSHA256 != "" || c.SecretEnv != ""
		switch {
		case c.SecretSHA256 != "" && c.SecretEnv != "":
			b.errorf(key, "set client_secret_sha256 or client_secret_env, not both")
		case c.SecretSHA256 != "":
			if raw, err := hex.DecodeString(c.SecretSHA256); err != nil || len(raw) != sha256.Size {
				b.errorf(at("client_secret_sha256"), "must be 64 hex digits (the SHA-256 of the secret)")
			}
			c.SecretSHA256 = strings.ToLower(c.SecretSHA256)
		case c.SecretEnv != "":
			v, ok := b.env[c.SecretEnv]
			switch {
			case !ok:
				b.errorf(at("client_secret_env"), "environment variable %s is not set", c.SecretEnv)
			case v == "":
				b.errorf(at("client_secret_env"), "environment variable %s is empty", c.SecretEnv)
			default:
				sum := sha256.Sum256([]byte(v))
				c.SecretSHA256 = hex.EncodeToString(sum[:])
			}
		}

		// RFC 7591 §2 defaults to client_secret_basic; a client without a secret can only be public.
		if c.TokenEndpointAuthMethod == "" {
			c.TokenEndpointAuthMethod = authNone
			if hasSecret {
				c.TokenEndpointAuthMethod = authBasic
			}
		}
		switch m := c.TokenEndpointAuthMethod; {
		case m != authBasic && m != authPost && m != authNone:
			b.errorf(at("token_endpoint_auth_method"), "%q must be client_secret_basic, client_secret_post or none", m)
		case m == authNone && hasSecret:
			b.errorf(at("token_endpoint_auth_method"), "none is for public clients, which must not have a secret")
		case m != authNone && !hasSecret:
			b.errorf(at("token_endpoint_auth_method"), "%s needs client_secret_sha256 or client_secret_env", m)
		}

		if a := c.IDTokenSignedResponseAlg; a != "" && !slices.Contains([]string{"RS256", "ES256", "EdDSA"}, a) {
			b.errorf(at("id_token_signed_response_alg"), "%q must be one of RS256, ES256, EdDSA", a)
		}
		c.GrantTypes = b.clientGrants(at("grant_types"), c.GrantTypes, hs.GrantTypes)
		// RFC 6749 §4.4 and §4.3: grants that rest on the client's own credentials are for confidential clients.
		for _, g := range []string{grantClientCredentials, grantPassword} {
			if c.TokenEndpointAuthMethod == authNone && slices.Contains(c.GrantTypes, g) {
				b.errorf(at("grant_types"), "%q is only for confidential clients (set a client secret)", g)
			}
		}
		// RFC 6749 §3.1.2.2: without a registered redirect URI a code flow could be sent anywhere.
		if slices.Contains(c.GrantTypes, grantAuthorizationCode) && len(c.RedirectURIs) == 0 {
			b.errorf(at("redirect_uris"), "required for the authorization_code grant")
		}
		for j, u := range c.RedirectURIs {
			if err := checkAbsoluteURI(u); err != nil {
				b.errorf(fmt.Sprintf("%s[%d]", at("redirect_uris"), j), "%q %v", u, err)
			}
		}
		for j, u := range c.PostLogoutRedirectURIs {
			if err := checkAbsoluteURI(u); err != nil {
				b.errorf(fmt.Sprintf("%s[%d]", at("post_logout_redirect_uris"), j), "%q %v", u, err)
			}
		}
		for _, kv := range [][2]string{{"client_uri", c.ClientURI}, {"logo_uri", c.LogoURI},
			{"tos_uri", c.TOSURI}, {"policy_uri", c.PolicyURI}} {
			if kv[1] != "" {
				if err := checkPageURL(kv[1]); err != nil {
					b.errorf(at(kv[0]), "%q %v", kv[1], err)
				}
			}
		}
		// scope is the space-separated list of scopes the client may ask for; the catalogue is not checked
		// here, since role names and plugin-defined scopes are scopes too.
		for _, s := range strings.Fields(c.Scope) {
			if !isScopeToken(s) {
				b.errorf(at("scope"), "%q is not a scope token (RFC 6749 §3.3)", s)
			}
		}
		for j, r := range c.Resources {
			if err := checkResourceURI(r); err != nil {
				b.errorf(fmt.Sprintf("%s[%d]", at("resources"), j), "%q %v", r, err)
			}
		}
		if !validFormat(c.AccessTokenFormat) {
			b.errorf(at("access_token_format"), "%q must be opaque or jwt", c.AccessTokenFormat)
		}
		c.Resources = slices.Clone(c.Resources)
		// Hosts that inherit the same client must not share its lists.
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
		hs.Clients = append(hs.Clients, c)
	}
}

// clientGrants checks a static client's grant types against the host's. Unset, a client gets
// authorization_code and refresh_token, as far as the host allows them.
func (b *hostBuilder) clientGrants(key string, list, host []string) []string {
	if list == nil {
		var out []string
		for _, g := range defaultClientGrantTypes() {
			if slices.Contains(host, g) {
				out = append(out, g)
			}
		}
		return out
	}
	if len(list) == 0 {
		b.errorf(key, "must list at least one grant type")
	}
	var out []string
	for _, g := range list {
		g = canonicalGrant(g)
		switch msg := checkGrant(g); {
		case msg != "":
			b.errorf(key, "%s", msg)
		case !slices.Contains(host, g):
			b.errorf(key, "%q is not enabled on this host (its grant_types)", g)
		case slices.Contains(out, g):
			b.errorf(key, "%q is listed twice", g)
		default:
			out = append(out, g)
		}
	}
	return out
}
