package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/httpapi"
	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/oidc"
	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
	"github.com/assentry/assentry/themes"
)

// This file is the one composition root: it picks the store backend and builds each host's services from the
// settings. Components get only their part of the settings.

// openStore opens the configured backend (Badger in data_dir, the embedded default).
func openStore(ctx context.Context, s *config.Settings, log *slog.Logger) (store.Store, error) {
	if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	st, err := badgerstore.Open(ctx, badgerstore.Options{Dir: s.DataDir, Logger: log})
	if errors.Is(err, badgerstore.ErrLocked) {
		return nil, fmt.Errorf("the data directory %s is in use by another process: %w", s.DataDir, err)
	}
	return st, err
}

// hostParts are one host's services.
type hostParts struct {
	settings *config.HostSettings
	accounts *account.Service
	sessions *session.Manager
	clients  *oauth.Clients
	registry *registration.Registry // nil while registration is off
	provider *oauth.Provider
	flow     *interaction.Service
	keys     *token.Manager
	userinfo *oidc.UserInfo
	idTokens *oidc.IDTokens
	logout   *oidc.Logout
	// Failed logins per address and per username: one pair per host, shared by the login page and the password
	// grant, so neither is a way around the other's limit.
	loginPerIP, loginPerUser *ratelimit.Limiter
}

// buildHosts makes the core services of every host on an open store.
func buildHosts(s *config.Settings, st store.Store, log *slog.Logger) ([]*hostParts, *admin.Services, error) {
	var parts []*hostParts
	svc := &admin.Services{Hosts: map[string]*admin.HostServices{}}
	for i := range s.Hosts {
		h := &s.Hosts[i]
		a := h.Argon2
		hasher, err := account.NewHasher(account.Params{Memory: a.Memory, Iterations: a.Iterations, Parallelism: a.Parallelism}, a.MaxConcurrent)
		if err != nil {
			return nil, nil, fmt.Errorf("host %s: %w", h.ID, err)
		}
		p := &hostParts{
			settings: h,
			accounts: account.New(account.Options{Host: h.ID, Users: st.Users(), Hasher: hasher, Roles: h.Roles,
				DefaultRole: h.DefaultRole, FullID: h.UsernameIsFullID, Domain: h.Registration.LegacyHost}),
			sessions:     session.NewManager(h.ID, st.Sessions(), st.Users(), h.SessionTTL, nil),
			clients:      oauth.NewClients(h.ID, st.Clients(), h.GrantTypes, nil),
			loginPerIP:   limiter(h.LoginPerIP),
			loginPerUser: limiter(h.LoginPerUser),
		}
		if p.registry, err = newRegistry(h, st); err != nil {
			return nil, nil, fmt.Errorf("host %s: %w", h.ID, err)
		}
		// Every flow finds clients through one source: static clients, then registered client_ids.
		clients := registration.Sources(p.clients, p.registry)
		layer, err := p.newOIDC(st, clients, log)
		if err != nil {
			return nil, nil, fmt.Errorf("host %s: %w", h.ID, err)
		}
		grants := append(oauth.BuiltinGrants(), oauth.NewPasswordGrant(p.accounts, p.loginPerIP, p.loginPerUser))
		if p.provider, err = newProvider(h, st, clients, layer, grants, log); err != nil {
			return nil, nil, fmt.Errorf("host %s: %w", h.ID, err)
		}
		if p.flow, err = interaction.New(p.provider, p.accounts, p.sessions, interaction.Limits{
			LoginPerIP: p.loginPerIP, LoginPerUser: p.loginPerUser,
			DeviceCodePerIP: limiter(h.DeviceCodePerIP), DeviceCodePerBrowser: limiter(h.DeviceCodePerBrowser),
		}, log.With("host", h.ID)); err != nil {
			return nil, nil, fmt.Errorf("host %s: %w", h.ID, err)
		}
		parts = append(parts, p)
		svc.Hosts[h.ID] = &admin.HostServices{Accounts: p.accounts, Clients: p.clients, Keys: p.keys, Registry: p.registry}
		if svc.Default == "" {
			svc.Default = h.ID
		}
	}
	return parts, svc, nil
}

// newRegistry builds a host's dynamic client registration; nil when registration.key is unset.
func newRegistry(h *config.HostSettings, st store.Store) (*registration.Registry, error) {
	r := h.Registration
	if !r.Enabled {
		return nil, nil
	}
	on, set := h.BuiltinPolicy[policy.HookValidateRegistration]
	return registration.New(registration.Options{Host: h.ID, Issuer: h.Issuer, Key: r.Key, Algorithm: r.Algorithm,
		TTL: r.TTL, LegacyHost: r.LegacyHost, InitialAccessToken: r.InitialAccessToken, Revoked: st.RevokedClients(),
		NoDefaultRules: set && !on,
		Rules: registration.Rules{GrantTypes: h.GrantTypes, ResponseTypes: h.ResponseTypes,
			IDTokenAlgs: token.SupportedAlgorithms()}})
}

// newProvider builds a host's OAuth core.
func newProvider(h *config.HostSettings, st store.Store, clients oauth.ClientSource, layer oauth.OIDC, grants []oauth.Grant, log *slog.Logger) (*oauth.Provider, error) {
	var extra []oauth.ScopeInfo
	for _, sc := range h.Scopes {
		extra = append(extra, oauth.ScopeInfo{Name: sc.Name, Title: sc.Title, Description: sc.Description})
	}
	return oauth.New(oauth.Options{
		Host: h.ID,
		Settings: oauth.Settings{
			Issuer: h.Issuer, AccessTokenTTL: h.AccessTokenTTL, RefreshTokenTTL: h.RefreshTokenTTL, CodeTTL: h.CodeTTL,
			DeviceCodeTTL:     h.DeviceCodeTTL,
			RefreshReuseGrace: h.RefreshTokenReuseGrace, GrantTypes: h.GrantTypes, ResponseTypes: h.ResponseTypes,
			RequireCodeChallenge: h.RequireCodeChallenge, CodeChallengeMethods: h.CodeChallengeMethods,
			TermsURL: h.TermsURL, PolicyURL: h.PolicyURL, ServiceDocumentation: h.ServiceDocumentation,
		},
		Clients: clients, Users: st.Users(), Grants: st.Grants(), Tokens: st.Tokens(), Codes: st.Codes(),
		DeviceCodes: st.DeviceCodes(), Consents: st.Consents(), Interactions: st.Interactions(),
		Scopes: oauth.NewCatalogue(h.Roles, extra), OIDC: layer, Handlers: grants, Log: log.With("host", h.ID),
	})
}

// newOIDC builds the OpenID Connect layer: signing keys, id_tokens at the token endpoint, userinfo, the subject
// of tokens, id_token_hint verification and RP-initiated logout.
func (p *hostParts) newOIDC(st store.Store, clients oauth.ClientSource, log *slog.Logger) (*oidc.Layer, error) {
	h := p.settings
	keys, err := token.New(token.Options{Host: h.ID, Keys: st.Keys(), KEK: h.KeyEncryptionKeyBytes,
		RotationInterval: h.KeyRotationInterval, PublishAhead: keyPublishAhead,
		MaxTokenTTL: h.IDTokenTTL + time.Hour, Log: log})
	if err != nil {
		return nil, err
	}
	subjects := oidc.Subjects{Format: h.SubjectFormat, Domain: h.Registration.LegacyHost}
	p.keys = keys
	p.idTokens = &oidc.IDTokens{Issuer: h.Issuer, TTL: h.IDTokenTTL, DefaultAlg: h.IDTokenSigningAlg,
		Subjects: subjects, Signer: keys, AtHash: token.AtHash, OnRefresh: h.RefreshIDToken}
	p.userinfo = &oidc.UserInfo{Host: h.ID, Tokens: st.Tokens(), Users: st.Users(), Clients: clients, Subjects: subjects}
	p.logout = &oidc.Logout{Issuer: h.Issuer, Clients: clients, Keys: keys}
	return &oidc.Layer{IDTokens: p.idTokens, Subjects: subjects, Logout: p.logout}, nil
}

// addPolicies loads the host's policy plugins (config policies) into a chain after the built-in policy, and
// gives it to every hook's caller: map_roles, scope_policy and consent in the OAuth flows, claims in id_tokens
// and userinfo, validate_registration in registration. A host without plugins and with every built-in hook on
// keeps the built-in rules alone (no chain on the hot path); a built-in hook switched off (builtin_policy) builds
// the chain even without plugins, so that the switch takes effect.
func (p *hostParts) addPolicies(ctx context.Context, engines map[string]policy.Engine, log *slog.Logger) (*policy.Manager, error) {
	h := p.settings
	if len(h.Policies) == 0 && !slices.Contains(slices.Collect(maps.Values(h.BuiltinPolicy)), false) {
		return nil, nil
	}
	bindings, err := policyBindings(h)
	if err != nil {
		return nil, err
	}
	builtin := p.provider.Builtin()
	builtin.ValidateRegistration = registration.BuiltinPolicy
	m, err := policy.NewManager(ctx, policy.ManagerOptions{
		Options: policy.Options{Host: h.ID, Builtin: builtin, BuiltinPolicy: h.BuiltinPolicy, Roles: h.Roles,
			Log: log.With("host", h.ID)},
		Engines: engines, Bindings: bindings,
	})
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", h.ID, err)
	}
	chain := m.Chain()
	p.provider.Policy, p.idTokens.Policy, p.userinfo.Policy = chain, chain, chain
	if p.registry != nil {
		p.registry.Policy = chain
	}
	return m, nil
}

// keyPublishAhead is how long a new signing key is in the JWKS before it signs: the JWKS max-age (10 minutes,
// core/httpapi) plus a margin.
const keyPublishAhead = 15 * time.Minute

// syncClients stores the clients declared in each host's config file section.
func syncClients(ctx context.Context, parts []*hostParts) error {
	for _, p := range parts {
		var declared []oauth.ConfigClient
		for _, c := range p.settings.Clients {
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
				IDTokenAlg: c.IDTokenSignedResponseAlg}})
		}
		if err := p.clients.SyncConfig(ctx, declared); err != nil {
			return fmt.Errorf("host %s: clients: %w", p.settings.ID, err)
		}
	}
	return nil
}

// limiter makes the token bucket of a rate-limit setting.
func limiter(b config.Bucket) *ratelimit.Limiter {
	return ratelimit.New(b.Burst, time.Duration(b.Every), nil)
}

// httpHosts adds what serving needs (theme, rate limits) to the core services.
func httpHosts(parts []*hostParts) ([]*httpapi.Host, error) {
	var out []*httpapi.Host
	for _, p := range parts {
		h := p.settings
		theme, err := themes.Load(h.Theme)
		if err != nil {
			return nil, fmt.Errorf("host %s: theme: %w", h.ID, err)
		}
		out = append(out, &httpapi.Host{
			ID: h.ID, Hostnames: h.Hostnames, Issuer: h.IssuerURL, SiteName: h.SiteName,
			SecurityPolicy: h.SecurityPolicy, ShowLogos: h.ShowClientLogos, CORSOrigins: h.CORSOrigins,
			Accounts: p.accounts, Sessions: p.sessions, Flow: p.flow, Theme: theme, OAuth: p.provider,
			UserInfo: p.userinfo, RPLogout: p.logout, Keys: p.keys, IDTokenAlgs: token.SupportedAlgorithms(),
			Registration: p.registry, RegisterPerIP: limiter(h.RegisterPerIP),
		})
	}
	return out, nil
}
