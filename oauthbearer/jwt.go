package oauthbearer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultKeyRefreshInterval is the least time between two fetches of the issuer's JWKS prompted by unknown kids.
const DefaultKeyRefreshInterval = time.Minute

// JWTConfig configures a JWTVerifier.
type JWTConfig struct {
	// Issuer is the authorization server's issuer URL, exactly as its tokens' iss; its discovery document names
	// the JWKS (required).
	Issuer string
	// Audience is this resource server's identifier, which the token's aud must contain (required: RFC 9068 §4,
	// a token for another resource server must not be accepted here).
	Audience string
	// Algorithms are the signature algorithms accepted (nil: RS256, PS256, ES256, ES384, EdDSA). "none" and the
	// HMAC algorithms are never accepted: the keys are public.
	Algorithms []string
	// Leeway tolerates that much clock skew on exp, nbf and iat (default none).
	Leeway time.Duration
	// KeyRefreshInterval is the least time between two JWKS fetches prompted by a kid the set does not hold
	// (0: DefaultKeyRefreshInterval). A key the issuer rotated in is found at the first token that uses it, unless
	// a fetch happened within the interval.
	KeyRefreshInterval time.Duration
	// HTTPClient fetches the discovery document and the JWKS; nil: a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// JWTVerifier is a Verifier for JWT access tokens (RFC 9068), checked locally with the issuer's public keys: no
// request per authentication, and no way to see a revocation before the token expires (keep access tokens
// short-lived, or use an Introspector where revocation must count).
type JWTVerifier struct {
	cfg    JWTConfig
	keys   *keySet
	parser *jwt.Parser
}

var _ Verifier = (*JWTVerifier)(nil)

// NewJWTVerifier reads the issuer's discovery document and fetches its JWKS, so that a wrong issuer fails here
// rather than at the first authentication.
func NewJWTVerifier(ctx context.Context, cfg JWTConfig) (*JWTVerifier, error) {
	var probs []string
	if cfg.Issuer == "" {
		probs = append(probs, "Issuer: required")
	}
	if cfg.Audience == "" {
		probs = append(probs, "Audience: required (RFC 9068 §4)")
	}
	for _, a := range cfg.Algorithms {
		if a == "none" || strings.HasPrefix(a, "HS") {
			probs = append(probs, fmt.Sprintf("Algorithms: %q cannot verify a token signed with a public key", a))
		}
	}
	if len(probs) > 0 {
		return nil, errors.New("oauthbearer: JWT: " + strings.Join(probs, "; "))
	}
	if cfg.Algorithms == nil {
		cfg.Algorithms = []string{"RS256", "PS256", "ES256", "ES384", "EdDSA"}
	}
	if cfg.KeyRefreshInterval == 0 {
		cfg.KeyRefreshInterval = DefaultKeyRefreshInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	meta, err := Discover(ctx, cfg.HTTPClient, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	if meta.JWKSURI == "" {
		return nil, fmt.Errorf("oauthbearer: the discovery document of %s has no jwks_uri", cfg.Issuer)
	}
	v := &JWTVerifier{cfg: cfg,
		keys: &keySet{url: meta.JWKSURI, client: cfg.HTTPClient, interval: cfg.KeyRefreshInterval, now: cfg.Now}}
	v.keys.mu.Lock()
	err = v.keys.fetch(ctx)
	v.keys.mu.Unlock()
	if err != nil {
		return nil, err
	}
	v.parser = jwt.NewParser(jwt.WithValidMethods(cfg.Algorithms), jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(cfg.Now), jwt.WithLeeway(cfg.Leeway))
	return v, nil
}

// accessTokenClaims are the claims of RFC 9068 §2.2 this package reads, and preferred_username, an identity claim
// of OIDC Core §5.1 that §2.2.2 lets an issuer add. Assentry adds none: its JWT access tokens name the user by
// sub alone, and a client's own token by sub equal to client_id, without the sub_type that its introspection
// answers carry (core/oauth/format_jwt.go).
type accessTokenClaims struct {
	jwt.RegisteredClaims
	ClientID          string `json:"client_id"`
	Scope             string `json:"scope"`
	PreferredUsername string `json:"preferred_username"`
	// Cnf is the confirmation claim (RFC 7800): a token bound to a key (DPoP, RFC 9449 §6.1) has one.
	Cnf json.RawMessage `json:"cnf"`
}

// checksAudience: a JWTVerifier always checks its Audience (required by NewJWTVerifier, RFC 9068 §4), so an
// Authenticator using it needs no Audiences of its own.
func (v *JWTVerifier) checksAudience() bool { return v != nil }

// Verify checks the token (RFC 9068 §4): the typ header, the signature with the issuer's key, iss, aud, exp,
// and the presence of every claim §2.2 requires.
func (v *JWTVerifier) Verify(ctx context.Context, token string) (*Token, error) {
	var keyErr error // a failure to fetch the keys is ours, not the token's
	var claims accessTokenClaims
	_, err := v.parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		// RFC 9068 §4: typ must be at+jwt or application/at+jwt, so that another JWT of the issuer (an id_token)
		// is never taken for an access token. Media types compare case-insensitively (RFC 7515 §4.1.9).
		typ, _ := t.Header["typ"].(string)
		if !strings.EqualFold(typ, "at+jwt") && !strings.EqualFold(typ, "application/at+jwt") {
			return nil, fmt.Errorf("typ %q is not at+jwt", typ)
		}
		kid, _ := t.Header["kid"].(string)
		k, err := v.keys.lookup(ctx, kid)
		if err != nil {
			var te *TokenError
			if !errors.As(err, &te) {
				keyErr = err
			}
			return nil, err
		}
		if k.alg != "" && k.alg != t.Method.Alg() {
			return nil, fmt.Errorf("the key %q is for %s, the token is signed with %s", kid, k.alg, t.Method.Alg())
		}
		return k.key, nil
	})
	if keyErr != nil {
		return nil, keyErr
	}
	if err != nil {
		return nil, invalidToken("%v", err)
	}
	// RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat and jti are required (the parser checked the first three
	// and iat's value).
	switch {
	case claims.Subject == "":
		return nil, invalidToken("no sub (RFC 9068 §2.2)")
	case claims.ClientID == "":
		return nil, invalidToken("no client_id (RFC 9068 §2.2)")
	case claims.IssuedAt == nil:
		return nil, invalidToken("no iat (RFC 9068 §2.2)")
	case claims.ID == "":
		return nil, invalidToken("no jti (RFC 9068 §2.2)")
	case len(claims.Cnf) > 0 && string(claims.Cnf) != "null":
		// RFC 9449 §7: a DPoP-bound token is good only with a proof by its key, which SASL OAUTHBEARER
		// (RFC 7628) has no way to carry; accepting it here would make it a Bearer token again.
		return nil, invalidToken("the token is bound to a key (cnf), which OAUTHBEARER cannot prove")
	}
	t := &Token{Subject: claims.Subject, Username: claims.PreferredUsername, ClientID: claims.ClientID,
		Scopes: strings.Fields(claims.Scope), Audience: claims.Audience, Issuer: claims.Issuer, ID: claims.ID,
		IssuedAt: claims.IssuedAt.Time, Expiry: claims.ExpiresAt.Time}
	// RFC 9068 §2.2: a token without a resource owner (client credentials) has an identifier of the client as its
	// sub; Assentry's is the client_id, and it refuses a client whose client_id could be taken for a user's sub
	// (RFC 9068 §5, RFC 9700 §4.15), so sub == client_id says "no user" and nothing else does.
	t.ForClient = claims.Subject == claims.ClientID
	if t.ForClient {
		t.Username = ""
	}
	return t, nil
}
