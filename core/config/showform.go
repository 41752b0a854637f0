package config

import (
	"time"
)

// fileForm returns the effective settings s in the shape of the configuration file: the same types, keys and
// nesting that Load decodes, every default written out, so that `config show` prints keys the file accepts and its
// output (secrets filled in) loads to the same settings. A file without a hosts list gives a single host at the
// top level; a file with one gives each host whole under hosts (its inherited keys included) and the top level
// only the keys that belong to the server. A nil pointer, slice or map is a key left out: one that does not apply
// (store.connect_timeout under Badger) or whose absence is the setting (audit.events: every kind).
func fileForm(s *Settings, multi bool) *Config {
	c := &Config{
		Listen:                 s.Listen,
		DataDir:                s.DataDir,
		AdminSocket:            s.AdminSocket,
		AllowInsecureIssuer:    s.AllowInsecureIssuer,
		TrustedProxies:         s.TrustedProxies,
		LogLevel:               s.LogLevel,
		Store:                  storeForm(s.Store),
		AutoMigrate:            s.AutoMigrate,
		HTTP:                   httpForm(s.HTTP),
		AdminListen:            s.AdminListen,
		AdminListenAllowRemote: s.AdminListenAllowRemote,
	}
	if !multi && len(s.Hosts) == 1 {
		c.Host = hostForm(&s.Hosts[0])
		return c
	}
	for i := range s.Hosts {
		c.Hosts = append(c.Hosts, hostForm(&s.Hosts[i]))
	}
	return c
}

func storeForm(s StoreSettings) *Store {
	st := &Store{Backend: s.Backend, MemTableMiB: int(s.MemTableSize >> 20), BlockCacheMiB: int(s.BlockCacheSize >> 20),
		IndexCacheMiB: int(s.IndexCacheSize >> 20), DSN: s.DSN, MaxConns: s.MaxConns, Heartbeat: dur(s.Heartbeat)}
	if s.Backend == StorePostgres {
		st.ConnectTimeout = dur(s.ConnectTimeout)
	}
	return st
}

func httpForm(h HTTPSettings) *HTTP {
	return &HTTP{ReadHeaderTimeout: dur(h.ReadHeaderTimeout), ReadBodyTimeout: dur(h.ReadBodyTimeout),
		WriteTimeout: dur(h.WriteTimeout), IdleTimeout: dur(h.IdleTimeout), MaxConnections: h.MaxConnections,
		MaxConnectionsPerIP: h.MaxConnectionsPerIP}
}

// hostForm is one host's effective settings as the keys of a host.
func hostForm(h *HostSettings) Host {
	out := Host{
		ID:                   h.ID,
		Issuer:               h.Issuer,
		SiteName:             h.SiteName,
		Theme:                h.Theme,
		SecurityPolicy:       h.SecurityPolicy,
		UsernameIsFullID:     ptr(h.UsernameIsFullID),
		ShowClientLogos:      ptr(h.ShowClientLogos),
		TermsURL:             h.TermsURL,
		PolicyURL:            h.PolicyURL,
		ServiceDocumentation: h.ServiceDocumentation,
		CORSOrigins:          h.CORSOrigins,
		HSTS:                 &HSTS{MaxAge: ptr(int64(h.HSTSMaxAge / time.Second))},
		Branding:             Branding{Logo: h.Logo, SupportURL: h.SupportURL},

		AccessTokenTTL:         dur(h.AccessTokenTTL),
		RefreshTokenTTL:        dur(h.RefreshTokenTTL),
		IDTokenTTL:             dur(h.IDTokenTTL),
		CodeTTL:                dur(h.CodeTTL),
		DeviceCodeTTL:          dur(h.DeviceCodeTTL),
		PushedRequestTTL:       dur(h.PushedRequestTTL),
		SessionTTL:             dur(h.SessionTTL),
		RefreshTokenReuseGrace: dur(h.RefreshTokenReuseGrace),

		Registration: Registration{Key: h.Registration.Key, Algorithm: h.Registration.Algorithm,
			TTL: dur(h.Registration.TTL), LegacyHost: h.Registration.LegacyHost,
			InitialAccessToken: h.Registration.InitialAccessToken},
		ClientIDMetadataDocuments: cimdForm(h.ClientIDMetadataDocuments),

		GrantTypes:                         h.GrantTypes,
		ResponseTypes:                      h.ResponseTypes,
		RequireCodeChallenge:               ptr(h.RequireCodeChallenge),
		CodeChallengeMethods:               h.CodeChallengeMethods,
		OOBRequirePKCE:                     ptr(h.OOBRequirePKCE),
		RequirePushedAuthorizationRequests: ptr(h.RequirePushedAuthorizationRequests),

		DPoPNonce:         DPoPNonceOff,
		DPoPProofWindow:   dur(h.DPoP.ProofWindow),
		DPoPNonceLifetime: dur(h.DPoP.NonceLifetime),
		DPoPReplayMax:     ptr(h.DPoP.ReplayMax),

		Scopes:    h.Scopes,
		Resources: h.Resources,
		Roles:     &Roles{Names: h.Roles, Default: h.DefaultRole},

		IDTokenSigningAlg:   h.IDTokenSigningAlg,
		KeyRotationInterval: dur(h.KeyRotationInterval),
		KeyPublishAhead:     dur(h.KeyPublishAhead),
		KeyEncryptionKey:    h.KeyEncryptionKey,
		SubjectFormat:       h.SubjectFormat,
		RefreshIDToken:      ptr(h.RefreshIDToken),

		Argon2: ptr(h.Argon2),
		RateLimits: &RateLimits{LoginPerIP: ptr(h.LoginPerIP), LoginPerUsername: ptr(h.LoginPerUser),
			RegisterPerIP: ptr(h.RegisterPerIP), PushPerIP: ptr(h.PushPerIP), DeviceCodePerIP: ptr(h.DeviceCodePerIP),
			DeviceCodePerBrowser: ptr(h.DeviceCodePerBrowser), ClientAuthFailuresPerClientIP: ptr(h.ClientAuthPerClientIP),
			ClientAuthFailuresPerIP: ptr(h.ClientAuthPerIP), DPoPProofsPerIP: ptr(h.DPoPProofsPerIP)},
		BuiltinPolicy: h.BuiltinPolicy,
		Policies:      h.Policies,
		Audit:         &Audit{File: h.Audit.File, Events: h.Audit.Events},
		PasswordPolicy: &PasswordPolicy{MinLength: h.Passwords.MinLength, MaxLength: h.Passwords.MaxLength,
			BlocklistFile: h.Passwords.BlocklistFile},
	}
	if len(h.Hostnames) > 1 { // the first is the issuer's own host, which hostnames need not list
		out.Hostnames = h.Hostnames[1:]
	}
	if h.DPoP.RequireNonce {
		out.DPoPNonce = DPoPNonceRequired
	}
	if h.Audit.File == "" {
		out.Audit.File = AuditOff
	}
	// A client's secret is either its hash or the variable holding it, as the file wrote it: the hash computed
	// from client_secret_env is not a key of the file beside it.
	out.Clients = make([]Client, len(h.Clients))
	for i, cl := range h.Clients {
		if cl.SecretEnv != "" {
			cl.SecretSHA256 = ""
		}
		out.Clients[i] = cl
	}
	if h.Clients == nil {
		out.Clients = nil
	}
	return out
}

func cimdForm(c ClientIDMetadataDocumentSettings) *ClientIDMetadataDocuments {
	out := &ClientIDMetadataDocuments{Enabled: ptr(c.Enabled), MaxBytes: c.MaxBytes, Timeout: dur(c.Timeout),
		CacheMinAge: dur(c.CacheMinAge), CacheMaxAge: dur(c.CacheMaxAge), CacheEntries: c.CacheEntries,
		MaxConcurrentFetches: c.MaxFetches, MaxConcurrentFetchesPerHost: c.MaxFetchesPerHost,
		FailureCacheTTL: dur(c.FailureCacheTTL), FailureCacheEntries: c.FailureCacheEntries, TestRootCA: c.TestRootCA}
	for _, p := range c.AllowNetworks {
		out.AllowNetworks = append(out.AllowNetworks, p.String())
	}
	return out
}

func dur(d time.Duration) *Duration { return ptr(Duration(d)) }

func ptr[T any](v T) *T { return &v }
