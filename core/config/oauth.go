package config

import (
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// tokens resolves lifetimes, id_token signing and the key-encryption key.
func (b *hostBuilder) tokens(h Host, hs *HostSettings) {
	for _, d := range []struct {
		key string
		v   *Duration
		def time.Duration
		dst *time.Duration
	}{
		{"access_token_ttl", h.AccessTokenTTL, DefaultAccessTokenTTL, &hs.AccessTokenTTL},
		{"refresh_token_ttl", h.RefreshTokenTTL, DefaultRefreshTokenTTL, &hs.RefreshTokenTTL},
		{"id_token_ttl", h.IDTokenTTL, DefaultIDTokenTTL, &hs.IDTokenTTL},
		{"code_ttl", h.CodeTTL, DefaultCodeTTL, &hs.CodeTTL},
		{"device_code_ttl", h.DeviceCodeTTL, DefaultDeviceCodeTTL, &hs.DeviceCodeTTL},
		{"pushed_request_ttl", h.PushedRequestTTL, DefaultPushedRequestTTL, &hs.PushedRequestTTL},
		{"key_rotation_interval", h.KeyRotationInterval, DefaultKeyRotationInterval, &hs.KeyRotationInterval},
		{"key_publish_ahead", h.KeyPublishAhead, DefaultKeyPublishAhead, &hs.KeyPublishAhead},
	} {
		*d.dst = ttl(d.v, d.def)
		if *d.dst <= 0 {
			b.errorf(d.key, "must be positive, got %s", *d.dst)
		}
	}
	switch {
	case hs.KeyPublishAhead > 0 && hs.KeyPublishAhead < MinKeyPublishAhead:
		b.errorf("key_publish_ahead", "%s is shorter than %s: instances and relying parties need time to fetch a "+
			"new key before it signs", hs.KeyPublishAhead, MinKeyPublishAhead)
	case hs.KeyRotationInterval > 0 && hs.KeyPublishAhead >= hs.KeyRotationInterval:
		b.errorf("key_publish_ahead", "%s must be shorter than key_rotation_interval (%s)", hs.KeyPublishAhead,
			hs.KeyRotationInterval)
	}
	// A request_uri, like a code, lives for one redirect (RFC 9126 §7.3: short-lived).
	if hs.PushedRequestTTL > 10*time.Minute {
		b.warnf("pushed_request_ttl", "%s is long for a request_uri, which is used at once (RFC 9126 suggests "+
			"between 5 and 600 seconds)", hs.PushedRequestTTL)
	}
	hs.RequirePushedAuthorizationRequests = boolOr(h.RequirePushedAuthorizationRequests, false)
	// A code lives long enough for one redirect; a long-lived code is a replay window.
	if hs.CodeTTL > 10*time.Minute {
		b.warnf("code_ttl", "%s is longer than the 10 minutes RFC 6749 §4.1.2 recommends as a maximum", hs.CodeTTL)
	}
	hs.SessionTTL = ttl(h.SessionTTL, DefaultSessionTTL)
	if hs.SessionTTL < 0 {
		b.errorf("session_ttl", "must not be negative, got %s (0 never remembers a login)", hs.SessionTTL)
	}
	// The grace lets a client retry a refresh whose answer it lost; as long as the token's whole life it
	// would switch reuse detection off.
	hs.RefreshTokenReuseGrace = ttl(h.RefreshTokenReuseGrace, 0)
	switch {
	case hs.RefreshTokenReuseGrace < 0:
		b.errorf("refresh_token_reuse_grace", "must not be negative, got %s", hs.RefreshTokenReuseGrace)
	case hs.RefreshTokenTTL > 0 && hs.RefreshTokenReuseGrace >= hs.RefreshTokenTTL:
		b.errorf("refresh_token_reuse_grace", "%s must be shorter than refresh_token_ttl (%s)",
			hs.RefreshTokenReuseGrace, hs.RefreshTokenTTL)
	}

	hs.IDTokenSigningAlg = orDefault(h.IDTokenSigningAlg, DefaultIDTokenSigningAlg)
	if !slices.Contains([]string{"RS256", "ES256", "EdDSA"}, hs.IDTokenSigningAlg) {
		b.errorf("id_token_signing_alg", "%q must be one of RS256, ES256, EdDSA", hs.IDTokenSigningAlg)
	}
	hs.SubjectFormat = orDefault(h.SubjectFormat, DefaultSubjectFormat)
	if hs.SubjectFormat != "opaque" && hs.SubjectFormat != "xmpp" {
		b.errorf("subject_format", "%q must be opaque or xmpp", hs.SubjectFormat)
	}
	hs.RefreshIDToken = boolOr(h.RefreshIDToken, true)

	// Without a key-encryption key the signing keys sit in the store in the clear: allowed (development, a
	// store on an encrypted disk) but said loudly.
	hs.KeyEncryptionKey = h.KeyEncryptionKey
	if h.KeyEncryptionKey == "" {
		b.warnf("key_encryption_key", "running without key_encryption_key: signing keys are stored unencrypted")
		return
	}
	key, err := decodeKey(h.KeyEncryptionKey)
	if err != nil {
		b.errorf("key_encryption_key", "%v", err) // never echo the key itself
		return
	}
	hs.KeyEncryptionKeyBytes = key
}

// decodeKey decodes a 32-byte key written in base64, standard or URL alphabet, padded or not.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding,
		base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("decodes to %d bytes, want 32 (generate one with: head -c 32 /dev/urandom | base64)", len(k))
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("must be 32 bytes in base64 (generate one with: head -c 32 /dev/urandom | base64)")
}

// registration resolves dynamic client registration (docs/architecture.md §9: the seed's key, algorithm, TTL, legacy
// host).
func (b *hostBuilder) registration(h Host, hs *HostSettings) {
	r := h.Registration
	rs := RegistrationSettings{
		Enabled:            r.Key != "",
		Key:                r.Key,
		Algorithm:          orDefault(r.Algorithm, DefaultRegistrationAlg),
		TTL:                ttl(r.TTL, 0),
		LegacyHost:         r.LegacyHost,
		InitialAccessToken: r.InitialAccessToken,
	}
	if rs.LegacyHost == "" && hs.IssuerURL != nil {
		rs.LegacyHost = hs.IssuerURL.Hostname()
	}
	if !slices.Contains([]string{"HS256", "HS384", "HS512"}, rs.Algorithm) {
		b.errorf("registration.algorithm", "%q must be one of HS256, HS384, HS512", rs.Algorithm)
	}
	if rs.TTL < 0 {
		b.errorf("registration.ttl", "must not be negative, got %s (unset: client ids do not expire)", rs.TTL)
	}
	// docs/architecture.md §9: Prosody accepted any key, and its clients' secrets derive from it, so a short key must
	// keep working; it is a warning, not an error.
	if n := len(r.Key); n > 0 && n < 32 {
		b.warnf("registration.key", "is %d bytes; use at least 32 random bytes (a short key is accepted for "+
			"compatibility with clients registered with Prosody)", n)
	}
	if r.Key == "" && r.InitialAccessToken != "" {
		b.warnf("registration.initial_access_token", "is set but registration is off (no registration.key)")
	}
	hs.Registration = rs
}

// checkGrant describes what is wrong with grant type g, or returns "". Only the grants this version knows are
// accepted; each one a host enables must also be served by an oauth.Grant, which oauth.New checks at start
// (docs/architecture.md §8, §10).
func checkGrant(g string) string {
	switch g {
	case grantAuthorizationCode, grantRefreshToken, grantDeviceCode, grantClientCredentials, grantPassword,
		grantImplicit:
		return ""
	}
	return fmt.Sprintf("unknown grant type %q (served: %s, %s, %s, %s, %s, %s)", g, grantAuthorizationCode,
		grantRefreshToken, grantDeviceCodeShort, grantClientCredentials, grantPassword, grantImplicit)
}

// canonicalGrant maps mod_http_oauth2's short name of the device grant to its RFC 8628 name.
func canonicalGrant(g string) string {
	if g == grantDeviceCodeShort {
		return grantDeviceCode
	}
	return g
}

// canonicalGrants applies canonicalGrant to a list (nil stays nil: unset).
func canonicalGrants(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, g := range list {
		out[i] = canonicalGrant(g)
	}
	return out
}

// checkResponseType describes what is wrong with response type rt, or returns "".
func checkResponseType(rt string) string {
	if rt == responseTypeCode || rt == responseTypeToken {
		return ""
	}
	words := strings.Fields(rt)
	sort.Strings(words)
	known := len(words) > 0
	for i, w := range words {
		if (w != "code" && w != "token" && w != "id_token" && w != "none") || (i > 0 && w == words[i-1]) ||
			(w == "none" && len(words) > 1) {
			known = false
		}
	}
	if known {
		return fmt.Sprintf("%q is not served by this version (only code and token)", rt)
	}
	return fmt.Sprintf("unknown response type %q (served: code, token)", rt)
}

// protocol resolves grant types, response types and PKCE.
func (b *hostBuilder) protocol(h Host, hs *HostSettings) {
	hs.GrantTypes = b.enumList("grant_types", canonicalGrants(h.GrantTypes), defaultGrantTypes(), checkGrant)
	if h.GrantTypes != nil && len(h.GrantTypes) == 0 {
		b.errorf("grant_types", "must list at least one grant type")
	}
	// Served for clients that can do nothing else, but the client sees the user's password.
	if slices.Contains(hs.GrantTypes, grantPassword) {
		b.warnf("grant_types", "password hands the user's password to the client; RFC 9700 §2.4 says it MUST NOT "+
			"be used, so give it only to clients that cannot use authorization_code")
	}
	// The implicit grant is off by default: RFC 9700 §2.1.2 says clients SHOULD NOT use it. Enabling it in
	// grant_types is enough (its response type token is then served too).
	defaultResponses := []string{responseTypeCode}
	if slices.Contains(hs.GrantTypes, grantImplicit) {
		defaultResponses = append(defaultResponses, responseTypeToken)
		b.warnf("grant_types", "implicit puts access tokens in the browser's URL; RFC 9700 §2.1.2 says clients "+
			"SHOULD NOT use it: prefer authorization_code with PKCE")
	}
	hs.ResponseTypes = b.enumList("response_types", h.ResponseTypes, defaultResponses, checkResponseType)
	// A response type and its grant are two halves of one flow (code and authorization_code, token and
	// implicit): one without the other is a host whose endpoints can never complete it.
	for _, pair := range [][2]string{{responseTypeCode, grantAuthorizationCode}, {responseTypeToken, grantImplicit}} {
		hasGrant, hasResponse := slices.Contains(hs.GrantTypes, pair[1]), slices.Contains(hs.ResponseTypes, pair[0])
		switch {
		case hasGrant && !hasResponse:
			b.errorf("response_types", "must include %s while grant_types has %s", pair[0], pair[1])
		case hasResponse && !hasGrant && len(hs.GrantTypes) > 0:
			b.errorf("grant_types", "must include %s while response_types has %s", pair[1], pair[0])
		}
	}

	hs.RequireCodeChallenge = boolOr(h.RequireCodeChallenge, true)
	hs.CodeChallengeMethods = b.enumList("code_challenge_methods", h.CodeChallengeMethods, []string{pkceS256},
		func(m string) string {
			if m == pkceS256 || m == pkcePlain {
				return ""
			}
			return fmt.Sprintf("unknown method %q (S256 or plain)", m)
		})
	if hs.RequireCodeChallenge && len(hs.CodeChallengeMethods) == 0 {
		b.errorf("code_challenge_methods", "must list at least one method while require_code_challenge is true")
	}
	// plain is allowed because the seed allowed it, but nothing needs it any more.
	if slices.Contains(hs.CodeChallengeMethods, pkcePlain) {
		b.warnf("code_challenge_methods", "plain does not protect an intercepted code; every client can do S256 "+
			"(RFC 9700 §2.1.1)")
	}
	b.oobPKCE(h, hs)
}

// oobPKCE resolves oob_require_pkce. The out-of-band redirect shows the code on a page, so clients registered
// with Assentry need an S256 code_challenge there (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1); clients registered with
// mod_http_oauth2 (legacy ids, which only registration can serve) are exempt for compatibility unless this is
// set. A host that does not accept S256 cannot serve the out-of-band redirect under that rule.
func (b *hostBuilder) oobPKCE(h Host, hs *HostSettings) {
	hs.OOBRequirePKCE = boolOr(h.OOBRequirePKCE, false)
	hasS256 := slices.Contains(hs.CodeChallengeMethods, pkceS256)
	switch {
	case hs.OOBRequirePKCE && !hasS256:
		b.errorf("code_challenge_methods", "must include S256 while oob_require_pkce is true (the out-of-band "+
			"redirect takes only S256)")
	case !hasS256:
		b.warnf("code_challenge_methods", "without S256, clients registered with Assentry cannot use the "+
			"out-of-band redirect (it takes only S256)")
	}
	if hs.OOBRequirePKCE && !hs.Registration.Enabled {
		b.warnf("oob_require_pkce", "has no effect while registration is off (no registration.key): only clients "+
			"registered with mod_http_oauth2 are exempt from PKCE on the out-of-band redirect")
	}
}

// enumList validates a list of enumerated values (nil: def), reporting bad and repeated entries at key.
func (b *hostBuilder) enumList(key string, list, def []string, check func(string) string) []string {
	if list == nil {
		return def
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		if msg := check(v); msg != "" {
			b.errorf(key, "%s", msg)
		} else if slices.Contains(out, v) {
			b.errorf(key, "%q is listed twice", v)
		} else {
			out = append(out, v)
		}
	}
	return out
}
