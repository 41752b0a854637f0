package config

import (
	"net/url"
	"time"
)

// Settings is the effective configuration after defaults and validation: what the composition root hands out.
// Components receive only the parts they need, never the whole of it. Every value is final: no zero value
// here means "use the default".
type Settings struct {
	Listen  string // host:port of the HTTP listener
	DataDir string // Badger's directory
	// DataDirOrigin says how DataDir was derived (from the file, ASSENTRY_DATA_DIR or the default, and relative
	// to what), for the commands' messages; zero for settings not made by Load.
	DataDirOrigin  DataDirOrigin
	AdminSocket    string   // the admin socket's absolute path; "": derived from DataDir at run time (admin.SocketPath)
	TrustedProxies []string // IP addresses and CIDR prefixes whose X-Forwarded-For is believed, as written
	LogLevel       string   // debug, info, warn or error
	Store          StoreSettings
	AutoMigrate    bool         // serve migrates an older store format at start instead of refusing it
	HTTP           HTTPSettings // the listener's timeouts and connection caps
	AdminListen    string       // host:port of the admin listener (admin API, /metrics); "": off
	// AllowInsecureIssuer and AdminListenAllowRemote are the file's switches as written: the checks they relax
	// are done by Load, they are kept for `config show`.
	AllowInsecureIssuer    bool
	AdminListenAllowRemote bool
	Hosts                  []HostSettings
}

// StoreSettings pick the backend and size the embedded store's memory, in bytes (the store's own defaults when
// not configured).
type StoreSettings struct {
	Backend        string // StoreBadger or StorePostgres
	MemTableSize   int64  // one memtable; Badger keeps two
	BlockCacheSize int64
	IndexCacheSize int64
	DSN            string // postgres: the connection string (a secret: it may hold a password)
	MaxConns       int    // postgres: the pool's size; 0: the driver's default
	// Heartbeat is how often the server renews its announcement of the static clients it declares and removes
	// those no live server declares; an announcement lapses after InstanceTTL(Heartbeat).
	Heartbeat time.Duration
	// ConnectTimeout bounds each attempt to open a PostgreSQL connection (postgres only; 0 for badger).
	ConnectTimeout time.Duration
}

// DefaultHeartbeat is store.heartbeat's default.
const DefaultHeartbeat = 15 * time.Second

// InstanceTTL is how long a server's announcement lives without a renewal: three heartbeats, so that one or two
// missed renewals (a slow database) do not make a live server look stopped.
func InstanceTTL(heartbeat time.Duration) time.Duration { return 3 * heartbeat }

// Store backends.
const (
	StoreBadger   = "badger"
	StorePostgres = "postgres"
)

// HostSettings is one host's effective configuration, every default applied and every inherited top-level
// key merged in.
type HostSettings struct {
	ID string // immutable store key prefix
	// Hostnames are the lower-case host names (with port when not the scheme default, IPv6 in brackets) the
	// host answers for, as a Host header carries them; the issuer's own host is always first.
	Hostnames []string
	Issuer    string   // the host's root URL, no trailing slash: the `iss` of every token
	IssuerURL *url.URL // Issuer parsed
	SiteName  string   // shown on pages; defaults to the issuer's host name without port
	Theme     string   // directory overlaying the embedded theme (relative in the file: from its directory); empty: embedded only

	SecurityPolicy       string   // the pages' Content-Security-Policy
	UsernameIsFullID     bool     // usernames are written user@host (the seed's oauth2_expect_username_jid)
	ShowClientLogos      bool     // render client logos (the CSP then needs img-src https:)
	TermsURL             string   // optional
	PolicyURL            string   // optional
	Logo                 string   // branding.logo as a URL path under /static/; optional
	SupportURL           string   // branding.support_url; optional
	ServiceDocumentation string   // optional
	CORSOrigins          []string // "*" alone, or origins as browsers send them (lower-case, no default port)
	// HSTSMaxAge is the max-age of Strict-Transport-Security, sent on an https issuer's answers that arrived over
	// TLS; 0: never sent.
	HSTSMaxAge time.Duration

	AccessTokenTTL         time.Duration
	RefreshTokenTTL        time.Duration
	IDTokenTTL             time.Duration
	CodeTTL                time.Duration
	DeviceCodeTTL          time.Duration // RFC 8628 device codes (device_code_ttl)
	PushedRequestTTL       time.Duration // RFC 9126 request_uris (pushed_request_ttl)
	SessionTTL             time.Duration // 0: never remember a login
	RefreshTokenReuseGrace time.Duration // 0: any reuse of a rotated refresh token revokes the chain
	DPoP                   DPoPSettings  // RFC 9449 (dpop.go)

	Registration RegistrationSettings
	// ClientIDMetadataDocuments: clients identified by the URL of their metadata document (off by default).
	ClientIDMetadataDocuments ClientIDMetadataDocumentSettings

	GrantTypes           []string // only grants this version serves
	ResponseTypes        []string
	RequireCodeChallenge bool
	CodeChallengeMethods []string // S256 and/or plain
	// OOBRequirePKCE: legacy clients (registered with mod_http_oauth2) need S256 PKCE on the out-of-band
	// redirect too; clients registered with Assentry always do.
	OOBRequirePKCE bool
	// RequirePushedAuthorizationRequests: every authorization request must come by request_uri (RFC 9126 §5).
	RequirePushedAuthorizationRequests bool

	Scopes []Scope // entries of the `scopes` key: extra scopes, and titles for built-in ones
	// Resources are the host's protected resources (RFC 8707), checked: absolute URIs without fragment, once each.
	Resources []Resource
	// Clients are the static clients of the file, with TokenEndpointAuthMethod and GrantTypes resolved and
	// SecretSHA256 set (lower-case hex) for every confidential client, including those using client_secret_env.
	Clients     []Client
	Roles       []string // the role catalogue
	DefaultRole string   // one of Roles; what the xmpp scope stands for

	IDTokenSigningAlg   string // RS256, ES256 or EdDSA
	KeyRotationInterval time.Duration
	// KeyPublishAhead is how long a new signing key is in the JWKS before it signs. Every instance sharing the
	// store reads its keys again at a quarter of it (at most each minute), and the JWKS max-age is what remains
	// after that, less a margin (at most ten minutes): so every instance publishes a key before any signs with
	// it, and relying parties' cached JWKS know it too.
	KeyPublishAhead  time.Duration
	KeyEncryptionKey string // as configured (base64); empty: signing keys are stored unencrypted
	// KeyEncryptionKeyBytes is KeyEncryptionKey decoded (32 bytes); nil when the host runs without one.
	KeyEncryptionKeyBytes []byte
	SubjectFormat         string // opaque or xmpp
	RefreshIDToken        bool   // a refresh also returns a new id_token

	Argon2       Argon2 // every field set (no zero means default here)
	LoginPerIP   Bucket
	LoginPerUser Bucket
	// RegisterPerIP limits dynamic client registrations per client address (every request counts).
	RegisterPerIP Bucket
	// PushPerIP limits pushed authorization requests per client address (every request counts).
	PushPerIP Bucket
	// DeviceCodePerIP and DeviceCodePerBrowser limit wrong user codes at /device (RFC 8628 §5.1).
	DeviceCodePerIP      Bucket
	DeviceCodePerBrowser Bucket
	// ClientAuthPerClientIP and ClientAuthPerIP limit failed client authentications (RFC 6749 §2.3.1) per
	// (client_id, client address) and per client address.
	ClientAuthPerClientIP Bucket
	ClientAuthPerIP       Bucket
	// DPoPProofsPerIP limits the DPoP proofs recorded per client address (RFC 9449 §11.1), so that one address
	// cannot fill the replay cache.
	DPoPProofsPerIP Bucket
	// BuiltinPolicy has every hook name (see Hooks) as a key: true when the built-in policy runs for it.
	BuiltinPolicy map[string]bool
	// Policies are the plugin bindings in order; each OnError holds every bound hook (all hooks when Hooks is
	// empty) with its value or the docs/policy-abi.md default. Plugin files are not opened by this package.
	Policies []Policy
	// Audit is where the host's security events go; Audit.File "" is no audit log.
	Audit AuditSettings
	// Passwords is the policy new passwords must pass; every field set but BlocklistFile ("": none).
	Passwords PasswordPolicySettings
}

// RegistrationSettings is the effective dynamic-registration configuration; Enabled is Key != "".
type RegistrationSettings struct {
	Enabled            bool
	Key                string
	Algorithm          string        // HS256, HS384 or HS512
	TTL                time.Duration // 0: unlimited (the `exp` of client ids is not enforced)
	LegacyHost         string        // Prosody's VirtualHost name in the secret derivation; the issuer's host name by default
	InitialAccessToken string        // empty: registration is open
}
