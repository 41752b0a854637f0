package registration

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxClientIDLen bounds a new client_id. Registered ids travel in URLs (the authorization request, RP-initiated
// logout beside an id_token_hint) and in the Basic header, so they must stay far below fiber's 32 KiB read
// buffer (docs/architecture.md §5); 2 KiB holds a web client with several redirect URIs and every informative URI.
const MaxClientIDLen = 2 << 10

// maxDecodeLen bounds the ids that are decoded at all. mod_http_oauth2 did not bound its ids, so the ids it
// registered may be longer than MaxClientIDLen and still have to work; anything past this is refused unread.
const maxDecodeLen = 16 << 10

// prosodyDefaultTTL is Prosody util.jwt's default lifetime: mod_http_oauth2 ids registered without a TTL
// carry exp = iat + 3600, which it does not enforce. New ids made without registration.ttl carry the same, so
// they have the same shape as Prosody's (and a Prosody server given the same key treats them the same way);
// the exp is not enforced either (see codec.parse).
const prosodyDefaultTTL = time.Hour

// nonceLen is the number of random bytes of the nonce in each new client_id (mod_http_oauth2's id.short() has
// 6): every registration yields a distinct client_id, so two clients registering the same metadata in the same
// second still get different secrets and can be revoked one by one.
const nonceLen = 9

// claims are the JWT payload of a client_id: the registered metadata, the nonce, and iss, iat and exp.
type claims struct {
	Metadata
	Nonce string `json:"nonce,omitempty"`
	jwt.RegisteredClaims
}

// codec signs and verifies client_ids of one host.
type codec struct {
	key    []byte
	method jwt.SigningMethod
	ttl    time.Duration // 0: ids do not expire
	issuer string
	now    func() time.Time
	rand   io.Reader
}

// signingMethod maps registration.algorithm to its HMAC method (HS256 by default, as in mod_http_oauth2).
func signingMethod(alg string) (jwt.SigningMethod, error) {
	switch alg {
	case "", "HS256":
		return jwt.SigningMethodHS256, nil
	case "HS384":
		return jwt.SigningMethodHS384, nil
	case "HS512":
		return jwt.SigningMethodHS512, nil
	}
	return nil, fmt.Errorf("registration: algorithm %q is not one of HS256, HS384, HS512", alg)
}

// sign makes the client_id of normalised metadata: a JWT carrying the metadata, a random nonce, iss (this
// host's issuer, so the id is refused by another host sharing the key; mod_http_oauth2 ids lack it), iat, and
// exp = iat + registration.ttl (iat + one hour without a TTL, as Prosody's; not enforced then).
func (c *codec) sign(m *Metadata) (string, time.Time, error) {
	b := make([]byte, nonceLen)
	if _, err := io.ReadFull(c.rand, b); err != nil {
		return "", time.Time{}, fmt.Errorf("registration: nonce: %w", err)
	}
	iat := c.now().UTC().Truncate(time.Second)
	ttl := c.ttl
	if ttl <= 0 {
		ttl = prosodyDefaultTTL
	}
	cl := &claims{Metadata: *m, Nonce: base64.RawURLEncoding.EncodeToString(b), RegisteredClaims: jwt.RegisteredClaims{
		Issuer: c.issuer, IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(iat.Add(ttl))}}
	id, err := jwt.NewWithClaims(c.method, cl).SignedString(c.key)
	return id, iat, err
}

// looksLikeID is a cheap test of a client_id's shape: three base64url parts, the first a JSON object ("eyJ" is
// base64 of `{"`). Static client ids do not look like this, so only these are tried as registered ids.
func looksLikeID(id string) bool {
	return strings.HasPrefix(id, "eyJ") && strings.Count(id, ".") == 2 && len(id) <= maxDecodeLen
}

// parse verifies a client_id and returns its claims: the signature with this host's key and algorithm only,
// then the issuer when the id carries one.
//
// Deliberate exceptions to verifying every JWT with its issuer and expiry (docs/contributing.md rule 7), both for ids
// registered with mod_http_oauth2 (docs/architecture.md §9): an id without iss is accepted as a legacy id (Prosody's
// have none); and exp is enforced only when registration.ttl is set, since Prosody's ids carry exp = iat + 3600 that
// Prosody itself ignores without a TTL. With a TTL, exp is required and enforced against the injected clock. expiry
// false skips it even then (the operator revoking an expired id).
func (c *codec) parse(id string, expiry bool) (*claims, error) {
	if !looksLikeID(id) {
		return nil, ErrNotRegistered
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{c.method.Alg()}), jwt.WithTimeFunc(c.now)}
	if c.ttl > 0 && expiry {
		opts = append(opts, jwt.WithExpirationRequired())
	} else {
		opts = append(opts, jwt.WithoutClaimsValidation())
	}
	cl := &claims{}
	if _, err := jwt.ParseWithClaims(id, cl, func(*jwt.Token) (any, error) { return c.key, nil }, opts...); err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, fmt.Errorf("%w: expired (registration.ttl)", ErrNotRegistered)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotRegistered, err)
	}
	if cl.Issuer != "" && cl.Issuer != c.issuer {
		return nil, fmt.Errorf("%w: issued by %s", ErrNotRegistered, cl.Issuer)
	}
	return cl, nil
}
