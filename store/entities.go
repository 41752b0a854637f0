package store

import "time"

// User is an account of one host. ID is immutable and random; everything refers to users by it. A deleted user
// keeps a tombstone (Deleted set, credentials and profile cleared) so the id is never reused.
type User struct {
	ID            string    `json:"id"`
	Host          string    `json:"host"`
	Username      string    `json:"username"` // PRECIS-normalised; unique per host among live users
	PasswordHash  string    `json:"password_hash,omitempty"`
	Roles         []string  `json:"roles,omitempty"`
	Groups        []string  `json:"groups,omitempty"`
	Name          string    `json:"name,omitempty"`
	Email         string    `json:"email,omitempty"`
	EmailVerified bool      `json:"email_verified,omitempty"`
	Locale        string    `json:"locale,omitempty"`
	Disabled      bool      `json:"disabled,omitempty"`
	Deleted       bool      `json:"deleted,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Session is a browser login session. ID is the SHA-256 (hex) of the cookie value; the cookie value itself is
// never stored.
type Session struct {
	ID        string    `json:"id"`
	Host      string    `json:"host"`
	UserID    string    `json:"user_id"`
	AuthTime  time.Time `json:"auth_time"`
	AMR       []string  `json:"amr,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Client is an OAuth client registered by the operator (CLI or config file). Dynamically registered clients are
// stateless (their metadata is the signed client_id) and are not stored here.
type Client struct {
	ID                      string   `json:"client_id"`
	Host                    string   `json:"host"`
	SecretHash              string   `json:"secret_hash,omitempty"` // hex SHA-256 of the secret; empty for public clients
	SecretFromEnv           string   `json:"secret_env,omitempty"`  // config clients: name of the env var holding the secret
	Name                    string   `json:"client_name"`
	ClientURI               string   `json:"client_uri,omitempty"`
	LogoURI                 string   `json:"logo_uri,omitempty"`
	TOSURI                  string   `json:"tos_uri,omitempty"`
	PolicyURI               string   `json:"policy_uri,omitempty"`
	RedirectURIs            []string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs  []string `json:"post_logout_redirect_uris,omitempty"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	Scopes                  []string `json:"scopes,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	// IDTokenSignedResponseAlg is the client's id_token algorithm (OIDC Registration §2); empty: the host's.
	IDTokenSignedResponseAlg string `json:"id_token_signed_response_alg,omitempty"`
	// Resources are the resource indicators (RFC 8707) the client may ask for; empty: those of the host.
	Resources []string `json:"resources,omitempty"`
	// AccessTokenFormat is "jwt" for RFC 9068 JWT access tokens; empty or "opaque": opaque Bearer tokens.
	AccessTokenFormat string `json:"access_token_format,omitempty"`
	Introspect        bool   `json:"introspect,omitempty"`
	// DPoPBoundAccessTokens: every token request of the client must carry a DPoP proof (RFC 9449 §5.2).
	DPoPBoundAccessTokens bool `json:"dpop_bound_access_tokens,omitempty"`
	Untrusted             bool `json:"untrusted,omitempty"`
	// RequirePushedAuthorizationRequests: the client's authorization requests must come by request_uri from the
	// pushed authorization request endpoint (RFC 9126 §6).
	RequirePushedAuthorizationRequests bool `json:"require_pushed_authorization_requests,omitempty"`
	FromConfig                         bool `json:"from_config,omitempty"` // declared under clients: in the config file
	// Legacy marks a client registered with mod_http_oauth2 (its client_id carries no iss). Prosody accepted the
	// secret by HTTP Basic or in the body whatever the client registered, so such a client may use either. Set
	// by the registration source; never stored.
	Legacy bool `json:"-"`
	// MetadataDocument marks a client whose client_id is the https URL of its Client ID Metadata Document
	// (draft-ietf-oauth-client-id-metadata-document): the consent page shows that URL's host as where the client
	// is from. Set by the metadata document source; never stored.
	MetadataDocument bool      `json:"-"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// RevokedClient is the operator's ban of one dynamically registered client. Registered clients are stateless (their
// signed client_id is the whole record, docs/architecture.md §9), so a ban is the only state one has: its id is kept as
// the SHA-256 (hex) of the client_id, which runs to kilobytes, with what the operator needs to recognise it. A ban
// never expires: without registration.ttl a client_id is valid forever.
type RevokedClient struct {
	Host       string    `json:"host"`
	ID         string    `json:"id"` // hex SHA-256 of the client_id
	ClientName string    `json:"client_name,omitempty"`
	ClientURI  string    `json:"client_uri,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	RevokedAt  time.Time `json:"revoked_at"`
}

// Consent is what a user approved for a client (user × client → scopes). It outlives the grants it led to.
type Consent struct {
	Host      string    `json:"host"`
	UserID    string    `json:"user_id"`
	ClientID  string    `json:"client_id"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	ExpiresAt time.Time `json:"expires_at,omitempty"` // zero: until revoked
}

// Grant is one authorization (one code or one device approval) and owns the chain of tokens issued from it.
// Revoking the grant makes every token of the chain inactive in the same write.
type Grant struct {
	ID       string   `json:"id"`
	Host     string   `json:"host"`
	UserID   string   `json:"user_id,omitempty"`
	ClientID string   `json:"client_id"`
	Scopes   []string `json:"scopes"`
	// Resources are the resource indicators granted at authorization (RFC 8707 §2.1); a token request may
	// narrow them (§2.2). Empty: the grant names no resource.
	Resources []string  `json:"resources,omitempty"`
	AuthTime  time.Time `json:"auth_time,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when the grant goes: at the latest expiry of any token of its chain or up to a day after it (a
	// backend may round it up so that refreshes need not rewrite the grant); extended as tokens are issued.
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is when tokens were last issued on the grant, as far as the grant records it: the store sets it to
	// its clock whenever it writes the grant for an issuance (created with tokens, a code or device code redeemed,
	// a rotation or Put that extends ExpiresAt). As the grant is rewritten only when its day-rounded expiry moves
	// (GrantDay), a chain refreshed all day moves it once a day: it is exact to within a day and costs no write
	// of its own. Zero until tokens are issued.
	UsedAt    time.Time `json:"used_at,omitempty"`
	Revoked   bool      `json:"revoked,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitempty"`
}

// TokenKind distinguishes access from refresh tokens.
type TokenKind string

// Token kinds.
const (
	AccessToken  TokenKind = "access"
	RefreshToken TokenKind = "refresh"
)

// Token is an access or refresh token of a grant. ID is the SHA-256 (hex) of the token string.
type Token struct {
	ID       string    `json:"id"`
	Host     string    `json:"host"`
	Kind     TokenKind `json:"kind"`
	GrantID  string    `json:"grant_id"`
	ClientID string    `json:"client_id"`
	UserID   string    `json:"user_id,omitempty"`
	Scopes   []string  `json:"scopes"`
	// Audience of an access token is its audience: the resources it was issued for (RFC 8707 §2), empty when none
	// was requested (the audience is then the client, as before resource indicators). Of a refresh token, it is
	// its grant's resources, those a refresh may ask for (§2.2), so a refresh need not read the grant.
	Audience  []string  `json:"audience,omitempty"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedAt    time.Time `json:"used_at,omitempty"` // refresh tokens: when rotated
	Revoked   bool      `json:"revoked,omitempty"` // this one token revoked (RFC 7009 of an access token)
	// JKT binds the token to a DPoP key: the RFC 7638 thumbprint of the key whose proofs must come with every
	// use (RFC 9449 §6); "" for a bearer token.
	JKT string `json:"jkt,omitempty"`
}

// Code is an authorization code. ID is the SHA-256 (hex) of the code string.
type Code struct {
	ID                  string    `json:"id"`
	Host                string    `json:"host"`
	GrantID             string    `json:"grant_id"`
	ClientID            string    `json:"client_id"`
	UserID              string    `json:"user_id"`
	RedirectURI         string    `json:"redirect_uri,omitempty"`
	RedirectURIGiven    bool      `json:"redirect_uri_given,omitempty"`
	Scopes              []string  `json:"scopes"`
	Resources           []string  `json:"resources,omitempty"` // its grant's (RFC 8707), so redemption need not read the grant
	CodeChallenge       string    `json:"code_challenge,omitempty"`
	CodeChallengeMethod string    `json:"code_challenge_method,omitempty"`
	Nonce               string    `json:"nonce,omitempty"`
	AuthTime            time.Time `json:"auth_time"`
	SessionID           string    `json:"session_id,omitempty"`
	IssuedAt            time.Time `json:"issued_at"`
	ExpiresAt           time.Time `json:"expires_at"`
	UsedAt              time.Time `json:"used_at,omitempty"`
	// DPoPJKT is the authorization request's dpop_jkt (RFC 9449 §10): the code is redeemed only with a proof by
	// that key.
	DPoPJKT string `json:"dpop_jkt,omitempty"`
}

// The values of DeviceCode.Status. The store acts on two: Poll writes only pending codes, Consume redeems only
// approved ones.
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
)

// DeviceCode is an RFC 8628 device authorization. ID is the SHA-256 (hex) of the device code; UserCode is what
// the core looks the user code up by (the digest of its normalised form), unique among live device codes.
// ValidUntil is when the device code expires; ExpiresAt, when the record goes, is later, so that a device polling
// after the expiry is told expired_token (RFC 8628 §3.5) rather than that its code is unknown.
type DeviceCode struct {
	ID         string    `json:"id"`
	Host       string    `json:"host"`
	UserCode   string    `json:"user_code"`
	ClientID   string    `json:"client_id"`
	Scopes     []string  `json:"scopes"`
	Status     string    `json:"status"` // DevicePending, DeviceApproved or DeviceDenied
	UserID     string    `json:"user_id,omitempty"`
	GrantID    string    `json:"grant_id,omitempty"`
	AuthTime   time.Time `json:"auth_time,omitempty"` // when the approving user authenticated
	Interval   int       `json:"interval"`
	LastPollAt time.Time `json:"last_poll_at,omitempty"`
	IssuedAt   time.Time `json:"issued_at"`
	ValidUntil time.Time `json:"valid_until,omitempty"`
	ExpiresAt  time.Time `json:"expires_at"`
	UsedAt     time.Time `json:"used_at,omitempty"`
}

// Key is a signing or secret key of a host. Private is the key material, encrypted at rest by the caller (the
// store treats it as opaque bytes).
type Key struct {
	ID        string    `json:"kid"`
	Host      string    `json:"host"`
	Use       string    `json:"use"` // "sig" for signing keys, other names for internal secrets
	Algorithm string    `json:"alg"`
	Private   []byte    `json:"private"`
	Public    []byte    `json:"public,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	NotBefore time.Time `json:"not_before"`           // starts signing at
	RetireAt  time.Time `json:"retire_at,omitempty"`  // stops signing at
	ExpiresAt time.Time `json:"expires_at,omitempty"` // removed from JWKS at; zero: never
}

// Interaction is the server-side state of one authorization request between /oauth2/authorize and the code it
// ends in: the validated request, the user once authenticated, and the browser it belongs to. Its random id
// travels in the login and consent forms instead of a return URL.
type Interaction struct {
	ID       string `json:"id"`
	Host     string `json:"host"`
	Browser  string `json:"browser"` // SHA-256 (hex) of the browser's CSRF cookie: the flow is bound to that browser
	ClientID string `json:"client_id"`

	RedirectURI         string   `json:"redirect_uri"`
	RedirectURIGiven    bool     `json:"redirect_uri_given,omitempty"`
	ResponseType        string   `json:"response_type"`
	Scopes              []string `json:"scopes"`              // requested, limited to known scopes and the client's
	Resources           []string `json:"resources,omitempty"` // RFC 8707 resource indicators, checked
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	CodeChallenge       string   `json:"code_challenge,omitempty"`
	CodeChallengeMethod string   `json:"code_challenge_method,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	MaxAge              int      `json:"max_age"` // -1: not given
	LoginHint           string   `json:"login_hint,omitempty"`
	UILocales           string   `json:"ui_locales,omitempty"`        // the pages' preferred languages (OIDC Core §3.1.2.1)
	IDTokenHintSub      string   `json:"id_token_hint_sub,omitempty"` // sub of a verified id_token_hint
	// DeviceCodeID is set for the verification of a device authorization (RFC 8628 §3.3): the interaction ends
	// in approving or denying that device code instead of a redirect (RedirectURI is empty).
	DeviceCodeID string `json:"device_code_id,omitempty"`
	// Request is set on the record of a pushed authorization request (RFC 9126) instead of the fields above: the
	// parameters the client pushed, kept until the browser arrives with the request_uri, whose SHA-256 (hex) is
	// the ID. Such a record is consumed when used and never becomes a flow itself.
	Request map[string]string `json:"request,omitempty"`
	DPoPJKT string            `json:"dpop_jkt,omitempty"` // dpop_jkt of the request (RFC 9449 §10), for its code

	UserID   string    `json:"user_id,omitempty"` // set once the user is authenticated for this request
	AuthTime time.Time `json:"auth_time,omitempty"`
	LoggedIn bool      `json:"logged_in,omitempty"` // the password was entered during this interaction

	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedAt    time.Time `json:"used_at,omitempty"`

	// Stored tells the core whether the interaction is in the store (it was read from it, or put there). A
	// request that ends without needing the browser again (a silent authorization) never stores it. Never
	// stored itself.
	Stored bool `json:"-"`
}

// AdminToken is a bearer token of the admin HTTP API (server-wide, see AdminTokenStore). Its value is shown once
// at creation and never stored: ID is the SHA-256 (hex) of it, as for every other secret of the store.
type AdminToken struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`  // unique among live tokens; how the operator refers to it
	Scope      string    `json:"scope"` // "read" or "write" (the API's vocabulary; the store keeps it as given)
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at,omitempty"` // zero: never expires
	LastUsedAt time.Time `json:"last_used_at,omitempty"`
}
