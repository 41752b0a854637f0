package config

import (
	"net/url"
	"time"
)

// Settings is the effective configuration after defaults and validation: what the composition root hands out.
// Components receive only the parts they need, never the whole of it.
type Settings struct {
	Listen         string
	DataDir        string
	TrustedProxies []string
	LogLevel       string
	Hosts          []HostSettings
}

// HostSettings is one host's effective configuration, every default applied.
type HostSettings struct {
	ID        string
	Hostnames []string // lower-case host names (with port when not the scheme default) the host answers for
	Issuer    string   // no trailing slash
	IssuerURL *url.URL
	SiteName  string
	Theme     string // directory overlaying the embedded theme; empty: embedded only

	SecurityPolicy   string
	UsernameIsFullID bool
	ShowClientLogos  bool
	TermsURL         string
	PolicyURL        string
	CORSOrigins      []string

	AccessTokenTTL         time.Duration
	RefreshTokenTTL        time.Duration
	IDTokenTTL             time.Duration
	CodeTTL                time.Duration
	SessionTTL             time.Duration // 0: never remember a login
	RefreshTokenReuseGrace time.Duration

	Registration RegistrationSettings

	GrantTypes           []string
	ResponseTypes        []string
	RequireCodeChallenge bool
	CodeChallengeMethods []string

	Scopes      []Scope
	Clients     []Client
	Roles       []string
	DefaultRole string

	IDTokenSigningAlg   string
	KeyRotationInterval time.Duration
	KeyEncryptionKey    string
	SubjectFormat       string
	RefreshIDToken      bool

	Argon2        Argon2
	LoginPerIP    Bucket
	LoginPerUser  Bucket
	BuiltinPolicy map[string]bool
	Policies      []Policy
}

// RegistrationSettings is the effective dynamic-registration configuration; Enabled is Key != "".
type RegistrationSettings struct {
	Enabled            bool
	Key                string
	Algorithm          string
	TTL                time.Duration // 0: unlimited
	LegacyHost         string
	InitialAccessToken string
}
