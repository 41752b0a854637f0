package oauth

// Grant types (RFC 6749 §4, RFC 8628 §3.4).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	// GrantDeviceCodeShort is mod_http_oauth2's name of the device grant in its configuration; the config and
	// the CLI accept it for GrantDeviceCode.
	GrantDeviceCodeShort   = "device_code"
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	// GrantImplicit is the implicit grant (RFC 6749 §4.2): tokens at the authorization endpoint, for
	// response_type=token. It has no grant_type at the token endpoint; RFC 7591 §2 pairs the two names.
	GrantImplicit = "implicit"
)

// Token endpoint authentication methods (RFC 7591 §2).
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthNone              = "none"
)

// ServedGrantTypes are the grant types of the authorization code flow with refresh: what a client made without
// grant types gets, and what test hosts serve. What a host serves is Provider.GrantTypes.
var ServedGrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}

// IDTokenAlgorithms are the id_token signing algorithms a host keeps keys for (OIDC Core §15.1: RS256 always).
var IDTokenAlgorithms = []string{"RS256", "ES256", "EdDSA"}
