package assembly

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/oidc"
	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// Options are what a host is built with besides its settings and store.
type Options struct {
	// Engines are the policy engines by kind, shared by every host and closed by their owner; a host with
	// plugins needs the engine of each.
	Engines map[string]policy.Engine
	// SkipPlugins leaves the host's plugins unloaded (its chain is the built-in policy alone): for the management
	// commands, which run no hook and must keep working while a plugin file is broken.
	SkipPlugins bool
	// PolicyCache is the directory where each host keeps the last good version of its plugins
	// (data_dir/policy-cache; a host's are under <host id>/), for policies[].on_load_error keep_last_good. Empty:
	// nothing is kept, and a plugin that fails to load refuses its host whatever on_load_error says.
	PolicyCache string
	// KeyAlgorithms are the algorithms the host keeps a signing key for; nil: every supported one. Tests keep to
	// the fast ones (an RSA key takes a good fraction of a second to make).
	KeyAlgorithms []string
	// Now is the clock of every service; nil: time.Now. Tests set it.
	Now func() time.Time
	// Grants are grants beyond the built-in ones (an embedder's own grant type): the host serves those its
	// grant_types enable, as it does the built-in ones.
	Grants []oauth.Grant
	Log    *slog.Logger // nil: discard
	// Events returns the sink of a host's security events (the audit log, metrics: combine them with
	// events.Multi); nil, or a nil sink, drops them. It is called once per host, by Build.
	Events func(h *config.HostSettings) (events.Sink, error)
	// PolicyObserver, when set, is told of every plugin call of the host's chain (the metrics).
	PolicyObserver policy.Observer
	// NewHasher makes the host's password hasher; nil: account.NewHasher. A new hasher hashes a random password
	// once (unknown users then cost the same as known ones), which takes as long as a login, so a server that
	// rebuilds its hosts on a reload hands back the hasher it already has for the same host and parameters.
	NewHasher func(host string, p account.Params, maxConcurrent int) (*account.Hasher, error)
}

// Services are the core services of one host, as serving needs them.
type Services struct {
	Settings *config.HostSettings
	Accounts *account.Service
	Sessions *session.Manager
	Clients  *oauth.Clients         // the static clients, in the store
	Registry *registration.Registry // dynamic client registration; nil while registration is off
	// Documents resolve client_ids that are the URL of a Client ID Metadata Document; nil while
	// client_id_metadata_documents is off.
	Documents *registration.Documents
	// Policies hold the host's policy chain (Policies.Chain()): the built-in policy, then the host's plugins, if
	// any. Every hook's caller runs it.
	Policies *policy.Manager
	Keys     *token.Manager
	// IDTokenAlgs are the id_token algorithms the host keeps a key for.
	IDTokenAlgs []string
	IDTokens    *oidc.IDTokens
	UserInfo    *oidc.UserInfo
	DPoP        *dpop.Checker // the host's DPoP proofs (RFC 9449), at the token and userinfo endpoints
	Logout      *oidc.Logout
	OAuth       *oauth.Provider
	// Flow runs the browser side of the flows: authorization, login, consent, device verification.
	Flow *interaction.Service
	// Events is where every service of the host reports its security events (nil: dropped); the management
	// dispatcher reports admin actions to it too.
	Events *events.Emitter

	// LoginPerIP and LoginPerUser count failed logins, at the login page and at the password grant alike.
	LoginPerIP    *ratelimit.Limiter
	LoginPerUser  *ratelimit.Limiter
	RegisterPerIP *ratelimit.Limiter
	// PushPerIP counts pushed authorization requests per client address.
	PushPerIP *ratelimit.Limiter
}

// Build makes the core services of host h on the open store st. Nothing is written to the store (see
// Prepare); plugins are loaded now, so a broken plugin refuses the host at start rather than at the first
// request. Close releases what Build loaded.
func Build(ctx context.Context, h *config.HostSettings, st store.Store, o Options) (*Services, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.KeyAlgorithms == nil {
		o.KeyAlgorithms = token.SupportedAlgorithms()
	}
	s, err := build(ctx, h, st, o)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", h.ID, err)
	}
	return s, nil
}

func build(ctx context.Context, h *config.HostSettings, st store.Store, o Options) (_ *Services, err error) {
	a := h.Argon2
	newHasher := o.NewHasher
	if newHasher == nil {
		newHasher = func(_ string, p account.Params, n int) (*account.Hasher, error) { return account.NewHasher(p, n) }
	}
	hasher, err := newHasher(h.ID, account.Params{Memory: a.Memory, Iterations: a.Iterations, Parallelism: a.Parallelism}, a.MaxConcurrent)
	if err != nil {
		return nil, err
	}
	passwords, err := passwordPolicy(h)
	if err != nil {
		return nil, err
	}
	em, err := emitter(h, o)
	if err != nil {
		return nil, err
	}
	s := &Services{
		Settings: h,
		Events:   em,
		Accounts: account.New(account.Options{Host: h.ID, Users: st.Users(), Hasher: hasher, Roles: h.Roles,
			DefaultRole: h.DefaultRole, FullID: h.UsernameIsFullID, Domain: h.Registration.LegacyHost, Now: o.Now,
			Passwords: passwords, SiteName: h.SiteName}),
		Sessions:      session.NewManager(h.ID, st.Sessions(), st.Users(), h.SessionTTL, o.Now),
		Clients:       newClients(h, st, o).WithEvents(em),
		IDTokenAlgs:   o.KeyAlgorithms,
		LoginPerIP:    limiter(h.LoginPerIP, o.Now),
		LoginPerUser:  limiter(h.LoginPerUser, o.Now),
		RegisterPerIP: limiter(h.RegisterPerIP, o.Now),
		PushPerIP:     limiter(h.PushPerIP, o.Now),
	}
	// The chain comes first: every service that runs a hook is given it when it is made.
	scopes := catalogue(h)
	if s.Policies, err = newPolicies(ctx, h, scopes, o); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = s.Close(ctx)
		}
	}()
	chain := s.Policies.Chain()
	if s.Registry, err = newRegistry(h, st, chain, em, o); err != nil {
		return nil, err
	}
	if s.Documents, err = newDocuments(h, chain, em, o); err != nil {
		return nil, err
	}
	// Every flow finds clients through one source: static clients, then registered client_ids, then metadata
	// document URLs.
	clients := registration.SourcesWith(s.Clients, s.Registry, s.Documents)
	layer, err := s.newOIDC(st, clients, chain, o)
	if err != nil {
		return nil, err
	}
	// Every built-in grant, and the password grant on the accounts and the login page's limiters (it shares
	// them, so a guesser cannot switch endpoints to get more tries).
	grants := append(oauth.BuiltinGrants(), oauth.NewPasswordGrant(s.Accounts, s.LoginPerIP, s.LoginPerUser))
	grants = append(grants, o.Grants...)
	s.DPoP = newDPoP(h, st, o)
	s.UserInfo.DPoP = s.DPoP
	if s.OAuth, err = newProvider(h, st, clients, scopes, chain, layer, s.Keys, grants, em, s.DPoP, o); err != nil {
		return nil, err
	}
	s.Flow, err = interaction.New(s.OAuth, s.Accounts, s.Sessions, interaction.Limits{LoginPerIP: s.LoginPerIP,
		LoginPerUser: s.LoginPerUser, DeviceCodePerIP: limiter(h.DeviceCodePerIP, o.Now),
		DeviceCodePerBrowser: limiter(h.DeviceCodePerBrowser, o.Now)}, o.Log.With("host", h.ID))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// emitter makes the host's events.Emitter on the sink Options.Events gives it; nil without one.
func emitter(h *config.HostSettings, o Options) (*events.Emitter, error) {
	if o.Events == nil {
		return nil, nil
	}
	sink, err := o.Events(h)
	if err != nil || sink == nil {
		return nil, err
	}
	return &events.Emitter{Sink: sink, Now: o.Now, Host: h.ID}, nil
}

// newClients makes the host's static client registry; on a store shared by instances (store.InstanceRegistry)
// it deletes a config-declared client only while no live instance declares it.
func newClients(h *config.HostSettings, st store.Store, o Options) *oauth.Clients {
	c := oauth.NewClients(h.ID, st.Clients(), h.GrantTypes, o.Now)
	if reg, ok := st.(store.InstanceRegistry); ok {
		c.WithRegistry(reg)
	}
	return c
}

// limiter makes a rate limiter of a configured bucket.
func limiter(b config.Bucket, now func() time.Time) *ratelimit.Limiter {
	return ratelimit.New(b.Burst, time.Duration(b.Every), now)
}

// Prepare writes what the host needs in the store before it serves: the static clients of its configuration,
// and a signing key for each algorithm. The management commands do not call it: they change the store only as
// asked.
func (s *Services) Prepare(ctx context.Context) error {
	if err := s.syncClients(ctx); err != nil {
		return fmt.Errorf("host %s: clients: %w", s.Settings.ID, err)
	}
	if err := s.Keys.Ensure(ctx); err != nil {
		return fmt.Errorf("host %s: signing keys: %w", s.Settings.ID, err)
	}
	return nil
}

// Close unloads the host's plugins once the calls running on them are done (or ctx ends).
func (s *Services) Close(ctx context.Context) error {
	return s.Policies.Close(ctx)
}
