package config

import (
	"runtime"
	"time"
)

// The defaults of the configuration (docs/architecture.md §8; README.md lists them per key). They are applied by
// Load to every key left unset; Settings never holds a zero value that means "default".
const (
	DefaultIssuer         = "http://127.0.0.1:8080"
	DefaultListen         = "127.0.0.1:8080"
	DefaultDataDir        = "./data"
	DefaultLogLevel       = "info"
	DefaultSecurityPolicy = "default-src 'self'"
	// DefaultHSTSMaxAge is one year: long enough that a user who came once is protected between visits, and the
	// usual value. No includeSubDomains, no preload: those commit other names than the issuer's.
	DefaultHSTSMaxAge          = 365 * 24 * time.Hour
	DefaultAccessTokenTTL      = time.Hour
	DefaultRefreshTokenTTL     = 168 * time.Hour
	DefaultIDTokenTTL          = time.Hour
	DefaultCodeTTL             = 60 * time.Second
	DefaultDeviceCodeTTL       = 10 * time.Minute
	DefaultPushedRequestTTL    = 60 * time.Second
	DefaultSessionTTL          = 24 * time.Hour
	DefaultRegistrationAlg     = "HS256"
	DefaultIDTokenSigningAlg   = "RS256"
	DefaultKeyRotationInterval = 720 * time.Hour
	// DefaultKeyPublishAhead is a minute of key cache refresh, ten minutes of JWKS cache and a margin.
	DefaultKeyPublishAhead = 15 * time.Minute
	// MinKeyPublishAhead leaves the key cache a refresh of a second (a quarter of it) and relying parties a
	// JWKS max-age of two seconds.
	MinKeyPublishAhead   = 4 * time.Second
	DefaultSubjectFormat = "opaque"
	DefaultRole          = "user"
	// DefaultHostID is the id of the single host when the file has no hosts list and no top-level id.
	DefaultHostID = "default"
)

// OWASP's first argon2id recommendation (Password Storage Cheat Sheet): m=19 MiB, t=2, p=1.
const (
	DefaultArgon2Memory      = 19456 // KiB
	DefaultArgon2Iterations  = 2
	DefaultArgon2Parallelism = 1
)

// Protocol names as written in the config file. They are local constants because this package must not import
// core/oauth (doc.go); core/oauth's typed constants carry the same strings.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	// grantDeviceCodeShort is how mod_http_oauth2's allowed_oauth2_grant_types names the device grant; the
	// config accepts it for the full name.
	grantDeviceCodeShort   = "device_code"
	grantClientCredentials = "client_credentials"
	grantPassword          = "password"
	grantImplicit          = "implicit"
	responseTypeCode       = "code"
	responseTypeToken      = "token"
	pkceS256               = "S256"
	pkcePlain              = "plain"
	authBasic              = "client_secret_basic"
	authPost               = "client_secret_post"
	authNone               = "none"
)

// Policy hook names (docs/policy-abi.md "Hooks"), in the order they run.
const (
	hookValidateRegistration = "validate_registration"
	hookMapRoles             = "map_roles"
	hookScopePolicy          = "scope_policy"
	hookConsent              = "consent"
	hookClaims               = "claims"
)

// Hooks lists the policy hook names, in the order they run for a request.
func Hooks() []string {
	return []string{hookValidateRegistration, hookMapRoles, hookScopePolicy, hookConsent, hookClaims}
}

// defaultOnError is each hook's on_error when a policy binding does not say (docs/policy-abi.md, the table of
// "Several plugins on one hook").
func defaultOnError(hook string) string {
	switch hook {
	case hookConsent:
		return "ask"
	case hookClaims:
		return "skip"
	}
	return "fail_closed"
}

// isBuiltinScope reports whether the server fixes the scope's meaning; a `scopes` entry may only retitle it.
func isBuiltinScope(name string) bool {
	switch name {
	case "openid", "profile", "email", "offline_access", "xmpp":
		return true
	}
	return false
}

// defaultGrantTypes is the host default: the authorization code flow with refresh, and the device grant, which
// mod_http_oauth2 serves by default too.
func defaultGrantTypes() []string {
	return []string{grantAuthorizationCode, grantRefreshToken, grantDeviceCode}
}

// defaultClientGrantTypes, intersected with the host's list, is a static client's default: a client asks for the
// device grant explicitly.
func defaultClientGrantTypes() []string { return []string{grantAuthorizationCode, grantRefreshToken} }

// defaultMaxConcurrent bounds parallel argon2 hashes: twice the CPUs, capped at 4 so the peak memory of the
// default parameters stays under 80 MiB however large the machine is.
func defaultMaxConcurrent() int { return min(2*runtime.GOMAXPROCS(0), 4) }

// Default login rate limits, per client address and per username: a token bucket of Burst attempts, refilled
// by one every Every.
const (
	DefaultLoginPerIPBurst       = 20
	DefaultLoginPerIPEvery       = 3 * time.Second
	DefaultLoginPerUsernameBurst = 10
	DefaultLoginPerUsernameEvery = 30 * time.Second
	// Registration: an application registers once per installation, so 20 at once and then one every 30 s
	// (120 an hour) serve many users behind one address, and stop a script filling logs with client ids.
	DefaultRegisterPerIPBurst = 20
	DefaultRegisterPerIPEvery = 30 * time.Second
	// Pushed authorization requests (RFC 9126): one per sign-in, so 50 at once and then five a second serve a
	// busy backend or many users behind one address, while bounding what one address keeps stored (a push lives
	// 60 s: about 350 requests of at most 16 KiB).
	DefaultPushPerIPBurst = 50
	DefaultPushPerIPEvery = 200 * time.Millisecond
	// Wrong user codes (RFC 8628 §5.1): a user mistyping needs a few tries; a guesser facing 20^8 codes gets
	// nowhere at one try a minute per browser and two a minute per address.
	DefaultDeviceCodePerIPBurst      = 10
	DefaultDeviceCodePerIPEvery      = 30 * time.Second
	DefaultDeviceCodePerBrowserBurst = 5
	DefaultDeviceCodePerBrowserEvery = time.Minute
	// Failed client authentications (RFC 6749 §2.3.1): a client with the right secret never fails, so ten a
	// minute per client_id and address leave room for a rotation gone wrong; fifty a minute per address bound a
	// guesser trying many client_ids, well above what the clients behind one NAT get wrong.
	DefaultClientAuthPerClientIPBurst = 10
	DefaultClientAuthPerClientIPEvery = 6 * time.Second
	DefaultClientAuthPerIPBurst       = 50
	DefaultClientAuthPerIPEvery       = 1200 * time.Millisecond
	// DPoP proofs recorded per address: ten a second, after a burst of 600, is far more than the clients behind
	// one NAT send, and caps what one address keeps in the replay cache (a record lives up to twice
	// dpop_proof_window) at about 1800 of dpop_replay_max's 100000.
	DefaultDPoPProofsPerIPBurst = 600
	DefaultDPoPProofsPerIPEvery = 100 * time.Millisecond
)
