package config

// Config is the whole configuration file. The top-level host keys (Host, inlined) describe the single host
// served when Hosts is empty; with Hosts set, each entry starts from the top-level values and overrides them.
// In the file types a key left out is its zero value (nil pointer, slice or map, "" or 0), which Load replaces
// by the default; pointers are used where the zero value is a meaningful setting (false, 0s).
type Config struct {
	Listen  string `yaml:"listen"`
	DataDir string `yaml:"data_dir"`
	// AdminSocket is where the admin unix socket lives; unset, it is derived from DataDir under the user's
	// temp directory, which a service with a private /tmp (systemd's PrivateTmp) hides from the CLI.
	AdminSocket string `yaml:"admin_socket"`
	// AllowInsecureIssuer permits a non-loopback http:// issuer (never in production).
	AllowInsecureIssuer bool `yaml:"allow_insecure_issuer"`
	// TrustedProxies are the addresses or CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// Store sizes the embedded store's memory.
	Store *Store `yaml:"store"`
	// AutoMigrate lets serve run pending store migrations at start instead of refusing to start.
	AutoMigrate bool `yaml:"auto_migrate"`
	// HTTP holds the listener's timeouts and connection caps.
	HTTP *HTTP `yaml:"http"`
	// AdminListen is the admin listener's host:port (the admin API and /metrics); empty: no admin listener.
	AdminListen string `yaml:"admin_listen"`
	// AdminListenAllowRemote permits a non-loopback admin_listen (behind a TLS-terminating proxy only).
	AdminListenAllowRemote bool `yaml:"admin_listen_allow_remote"`

	Host  `yaml:",inline"`
	Hosts []Host `yaml:"hosts"`
}

// Store picks the store backend and configures it. The *_mib keys size the memory of the embedded Badger store,
// in MiB (0 or left out keeps the default); dsn and max_conns are PostgreSQL's.
type Store struct {
	// Backend is "badger" (the embedded default, in data_dir) or "postgres" (several instances on one database).
	Backend       string `yaml:"backend"`
	MemTableMiB   int    `yaml:"memtable_mib"`
	BlockCacheMiB int    `yaml:"block_cache_mib"`
	IndexCacheMiB int    `yaml:"index_cache_mib"`
	// DSN is PostgreSQL's connection string; it may hold a password, so it is better set through
	// ASSENTRY_STORE__DSN than written in the file (config show redacts it either way).
	DSN string `yaml:"dsn"`
	// MaxConns caps PostgreSQL's connection pool; 0 keeps the driver's default.
	MaxConns int `yaml:"max_conns"`
	// Heartbeat is how often a server renews its announcement in the store (the static clients its
	// configuration declares) and removes the config-declared clients no live server declares any more.
	Heartbeat *Duration `yaml:"heartbeat"`
	// ConnectTimeout bounds each attempt to open a PostgreSQL connection, so that a database that does not
	// answer turns requests away (503) instead of holding them.
	ConnectTimeout *Duration `yaml:"connect_timeout"`
}

// Host is everything that belongs to one host (Prosody's VirtualHost, Keycloak's realm). Under `hosts`, a
// host inherits each top-level key it leaves out (per key, through sections and maps; a list replaces the
// inherited one); id and hostnames are never inherited.
type Host struct {
	// ID is the immutable store key prefix of the host ([a-z0-9-], 1–32 chars); defaults to "default" for the
	// single top-level host.
	ID string `yaml:"id"`
	// Hostnames are names the host answers for besides its issuer's host (which is always included).
	Hostnames []string `yaml:"hostnames"`
	Issuer    string   `yaml:"issuer"`
	SiteName  string   `yaml:"site_name"`
	Theme     string   `yaml:"theme"`

	SecurityPolicy   string `yaml:"security_policy"`
	UsernameIsFullID *bool  `yaml:"username_is_full_id"`
	ShowClientLogos  *bool  `yaml:"show_client_logos"`
	TermsURL         string `yaml:"terms_url"`
	PolicyURL        string `yaml:"policy_url"`
	// ServiceDocumentation is advertised in the RFC 8414 metadata (service_documentation).
	ServiceDocumentation string   `yaml:"service_documentation"`
	CORSOrigins          []string `yaml:"cors_origins"`
	// HSTS configures Strict-Transport-Security on an https issuer.
	HSTS *HSTS `yaml:"hsts"`
	// Branding is what the pages show of the operator besides site_name: a logo and a help link.
	Branding Branding `yaml:"branding"`

	AccessTokenTTL  *Duration `yaml:"access_token_ttl"`
	RefreshTokenTTL *Duration `yaml:"refresh_token_ttl"`
	IDTokenTTL      *Duration `yaml:"id_token_ttl"`
	CodeTTL         *Duration `yaml:"code_ttl"`
	DeviceCodeTTL   *Duration `yaml:"device_code_ttl"`
	// PushedRequestTTL is how long a request_uri of the pushed authorization request endpoint lives (RFC 9126).
	PushedRequestTTL       *Duration `yaml:"pushed_request_ttl"`
	SessionTTL             *Duration `yaml:"session_ttl"`
	RefreshTokenReuseGrace *Duration `yaml:"refresh_token_reuse_grace"`

	Registration Registration `yaml:"registration"`
	// ClientIDMetadataDocuments lets clients use the https URL of their metadata document as client_id.
	ClientIDMetadataDocuments *ClientIDMetadataDocuments `yaml:"client_id_metadata_documents"`

	GrantTypes           []string `yaml:"grant_types"`
	ResponseTypes        []string `yaml:"response_types"`
	RequireCodeChallenge *bool    `yaml:"require_code_challenge"`
	CodeChallengeMethods []string `yaml:"code_challenge_methods"`
	// OOBRequirePKCE ends the out-of-band redirect's PKCE exemption for clients registered with mod_http_oauth2.
	OOBRequirePKCE *bool `yaml:"oob_require_pkce"`
	// RequirePushedAuthorizationRequests makes every client of the host push its authorization requests
	// (RFC 9126 §5).
	RequirePushedAuthorizationRequests *bool `yaml:"require_pushed_authorization_requests"`

	// DPoP (RFC 9449): whether every proof must carry a server nonce (required or off), how far a proof's iat
	// may be from the server's clock, how long a nonce lives, and how many proofs an instance remembers.
	DPoPNonce         string    `yaml:"dpop_nonce"`
	DPoPProofWindow   *Duration `yaml:"dpop_proof_window"`
	DPoPNonceLifetime *Duration `yaml:"dpop_nonce_lifetime"`
	DPoPReplayMax     *int      `yaml:"dpop_replay_max"`

	Scopes []Scope `yaml:"scopes"`
	// Resources are the host's protected resources (RFC 8707 resource indicators) and their token formats.
	Resources []Resource `yaml:"resources"`
	Clients   []Client   `yaml:"clients"`
	Roles     *Roles     `yaml:"roles"`

	IDTokenSigningAlg   string    `yaml:"id_token_signing_alg"`
	KeyRotationInterval *Duration `yaml:"key_rotation_interval"`
	// KeyPublishAhead is how long a new signing key is published before it signs (see HostSettings).
	KeyPublishAhead  *Duration `yaml:"key_publish_ahead"`
	KeyEncryptionKey string    `yaml:"key_encryption_key"`
	SubjectFormat    string    `yaml:"subject_format"`
	RefreshIDToken   *bool     `yaml:"refresh_id_token"`

	Argon2     *Argon2     `yaml:"argon2"`
	RateLimits *RateLimits `yaml:"rate_limits"`
	// BuiltinPolicy switches the built-in policy off per hook (hook name → false). Hooks arrive with the policy
	// engines; the names are validated now.
	BuiltinPolicy map[string]bool `yaml:"builtin_policy"`
	// Policies are Lua / wasm plugins; accepted and validated structurally, loaded by the policy engines.
	Policies []Policy `yaml:"policies"`
	// Audit is the host's audit log (off unless file is set).
	Audit *Audit `yaml:"audit"`
	// PasswordPolicy is what a new password must be (NIST SP 800-63B-4 §3.1.1.2); see passwords.go.
	PasswordPolicy *PasswordPolicy `yaml:"password_policy"`
}

// Registration configures dynamic client registration (off while Key is empty).
type Registration struct {
	Key                string    `yaml:"key"`
	Algorithm          string    `yaml:"algorithm"`
	TTL                *Duration `yaml:"ttl"`
	LegacyHost         string    `yaml:"legacy_host"`
	InitialAccessToken string    `yaml:"initial_access_token"`
}

// Branding is the operator's logo and help link on every page (docs/architecture.md §6).
type Branding struct {
	// Logo is a file of the theme's static/ directory ("img/logo.svg"), or its URL path ("/static/img/logo.svg"):
	// pages load nothing from other origins (the CSP is default-src 'self').
	Logo string `yaml:"logo"`
	// SupportURL is where users get help: the pages' footer links to it.
	SupportURL string `yaml:"support_url"`
}

// HSTS is the Strict-Transport-Security header of an https host (RFC 6797).
type HSTS struct {
	// MaxAge is the header's max-age in seconds, as the header writes it; 0 switches the header off, and left
	// out it is DefaultHSTSMaxAge.
	MaxAge *int64 `yaml:"max_age"`
}

// Resource is a protected resource of the host (RFC 8707): the URI clients name in resource=, and the format of
// the access tokens issued for it.
type Resource struct {
	URI string `yaml:"uri"`
	// AccessTokenFormat is jwt for RFC 9068 JWT access tokens whenever this resource is in the audience; opaque
	// or empty: the client's format.
	AccessTokenFormat string `yaml:"access_token_format"`
	// Default makes this resource the audience of a JWT access token whose request names no resource (at most
	// one resource is the default): a JWT access token's aud is never the client_id, which an id_token's is
	// (RFC 8725 §3.11–3.12). Without a default such a token is opaque.
	Default bool `yaml:"default"`
}

// Scope is an extra scope shown on the consent page.
type Scope struct {
	Name        string `yaml:"name"`
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
}

// Client is a static client declared in the config file. In HostSettings.Clients the defaults are applied:
// TokenEndpointAuthMethod (none without a secret, else client_secret_basic), GrantTypes (authorization_code
// and refresh_token, as far as the host allows) and SecretSHA256 (computed from client_secret_env).
type Client struct {
	ID string `yaml:"client_id"`
	// SecretSHA256 is the hex SHA-256 of the secret; SecretEnv names an environment variable holding the
	// secret. At most one is set; neither means a public client.
	SecretSHA256            string   `yaml:"client_secret_sha256"`
	SecretEnv               string   `yaml:"client_secret_env"`
	Name                    string   `yaml:"client_name"`
	ClientURI               string   `yaml:"client_uri"`
	LogoURI                 string   `yaml:"logo_uri"`
	TOSURI                  string   `yaml:"tos_uri"`
	PolicyURI               string   `yaml:"policy_uri"`
	RedirectURIs            []string `yaml:"redirect_uris"`
	PostLogoutRedirectURIs  []string `yaml:"post_logout_redirect_uris"`
	GrantTypes              []string `yaml:"grant_types"`
	Scope                   string   `yaml:"scope"`
	TokenEndpointAuthMethod string   `yaml:"token_endpoint_auth_method"`
	// IDTokenSignedResponseAlg overrides the host's id_token_signing_alg for this client.
	IDTokenSignedResponseAlg string `yaml:"id_token_signed_response_alg"`
	// Resources are the resource indicators (RFC 8707) this client may ask for; empty: the host's resources.
	Resources []string `yaml:"resources"`
	// AccessTokenFormat is opaque (the default) or jwt (RFC 9068).
	AccessTokenFormat string `yaml:"access_token_format"`
	Introspect        bool   `yaml:"introspect"`
	Untrusted         bool   `yaml:"untrusted"`
	// RequirePushedAuthorizationRequests: this client must push its authorization requests (RFC 9126 §6).
	RequirePushedAuthorizationRequests bool `yaml:"require_pushed_authorization_requests"`
	// DPoPBoundAccessTokens: every token request of the client must carry a DPoP proof (RFC 9449 §5.2).
	DPoPBoundAccessTokens bool `yaml:"dpop_bound_access_tokens"`
}

// Roles is the host's role catalogue and its default role (the one the `xmpp` scope stands for).
type Roles struct {
	Names   []string `yaml:"names"`
	Default string   `yaml:"default"`
}

// Argon2 holds the argon2id parameters for password hashes. In the file, 0 (or leaving a field out) means
// the default: OWASP's m=19456 KiB, t=2, p=1.
type Argon2 struct {
	Memory      uint32 `yaml:"memory"` // KiB
	Iterations  uint32 `yaml:"iterations"`
	Parallelism uint8  `yaml:"parallelism"`
	// MaxConcurrent bounds how many hashes run at once (memory × MaxConcurrent is the peak).
	MaxConcurrent int `yaml:"max_concurrent"`
}

// RateLimits are token buckets: Burst requests at once, then one more every Every.
type RateLimits struct {
	LoginPerIP       *Bucket `yaml:"login_per_ip"`
	LoginPerUsername *Bucket `yaml:"login_per_username"`
	RegisterPerIP    *Bucket `yaml:"register_per_ip"` // POST /oauth2/register, every request counts
	// PushPerIP: POST /oauth2/par (RFC 9126), every request counts: a public client's push needs no secret and
	// is stored until used or expired.
	PushPerIP *Bucket `yaml:"par_per_ip"`
	// Wrong user codes at the device verification page (RFC 8628 §5.1), per address and per browser.
	DeviceCodePerIP      *Bucket `yaml:"device_code_per_ip"`
	DeviceCodePerBrowser *Bucket `yaml:"device_code_per_browser"`
	// Failed client authentications at the endpoints that authenticate clients (token, revocation,
	// introspection, device authorization; RFC 6749 §2.3.1), per client_id and address, and per address.
	ClientAuthFailuresPerClientIP *Bucket `yaml:"client_auth_failures_per_client_ip"`
	ClientAuthFailuresPerIP       *Bucket `yaml:"client_auth_failures_per_ip"`
	// DPoP proofs recorded per address (RFC 9449 §11.1), at the token and userinfo endpoints.
	DPoPProofsPerIP *Bucket `yaml:"dpop_proofs_per_ip"`
}

// Bucket is one token-bucket setting. In the file, 0 (or leaving a field out) keeps the default of that field.
type Bucket struct {
	Burst int      `yaml:"burst"`
	Every Duration `yaml:"every"`
}

// Policy is one plugin binding (docs/policy-abi.md).
type Policy struct {
	Name    string            `yaml:"name"`
	Lua     string            `yaml:"lua"`
	Wasm    string            `yaml:"wasm"`
	Hooks   []string          `yaml:"hooks"`
	Config  map[string]any    `yaml:"config"`
	Limits  map[string]int    `yaml:"limits"`
	OnError map[string]string `yaml:"on_error"`
	// IsolateCalls restores a wasm plugin's instance to its state after init after every call (Lua calls are
	// always isolated).
	IsolateCalls bool `yaml:"isolate_calls"`
	// OnLoadError is what a start (or a configuration reload) does when the plugin's file does not load: fail
	// (the default) refuses it; keep_last_good runs the last version that loaded, kept in the data directory,
	// and marks the plugin stale (docs/policy-abi.md).
	OnLoadError string `yaml:"on_load_error"`
}
