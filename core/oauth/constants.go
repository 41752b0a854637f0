package oauth

// Grant types (RFC 6749 §4, RFC 8628 §3.4).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
)

// Token endpoint authentication methods (RFC 7591 §2).
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthNone              = "none"
)

// ServedGrantTypes are the grant types a host serves unless it says otherwise (the default grant_types).
// client_credentials and password are served too, but only where a host enables them.
var ServedGrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}

// IDTokenAlgorithms are the id_token signing algorithms a host keeps keys for (OIDC Core §15.1: RS256 always).
var IDTokenAlgorithms = []string{"RS256", "ES256", "EdDSA"}
