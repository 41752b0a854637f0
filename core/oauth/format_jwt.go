package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/assentry/assentry/store"
)

// JWTSigner signs the claims of a JWT access token with the host's current key of alg, with the JOSE header typ
// "at+jwt" (RFC 9068 §2.1). core/token.Manager implements it.
type JWTSigner interface {
	SignAccessToken(ctx context.Context, alg string, claims map[string]any) (string, error)
}

// TypeATJWT is the JOSE typ of a JWT access token (RFC 9068 §2.1); resource servers must check it (§4) so that
// an id_token is never taken for an access token.
const TypeATJWT = "at+jwt"

// defaultJWTAlg is the algorithm every RFC 9068 resource server supports (§4).
const defaultJWTAlg = "RS256"

// jwtFormat is an RFC 9068 JWT access token. It stays revocable: the store keeps it, like an opaque token, under
// the SHA-256 of its value (the whole JWT), so introspection, userinfo and revocation find it by that digest, and
// a revoked or logged-out token is inactive there at once. A resource server that verifies the JWT locally cannot
// see that before exp: the README says so and recommends short lifetimes or introspection.
type jwtFormat struct{ p *Provider }

func (p *Provider) jwtFormat() TokenFormat { return jwtFormat{p} }

func (jwtFormat) Type() string { return TokenTypeBearer }

// Mint signs the claims of RFC 9068 §2.2: iss, exp, aud (the token's resources: formatFor never makes a JWT
// without one, and Mint refuses to, so aud is never the client_id an id_token is for), sub (the user's subject, or the client_id of a client's own token, §2.2),
// client_id, iat, jti (random; the store id is the digest, and introspection answers this jti: jwtID), scope, and auth_time and amr for a user who signed
// in. No personal claim beyond sub.
func (f jwtFormat) Mint(ctx context.Context, t *store.Token, m *MintInput) (string, error) {
	if len(t.Audience) == 0 {
		return "", errors.New("oauth: a JWT access token needs a resource for its aud")
	}
	alg := f.p.Settings.JWTAccessTokenAlg
	if alg == "" {
		alg = defaultJWTAlg
	}
	c := map[string]any{"iss": f.p.Settings.Issuer, "exp": t.ExpiresAt.Unix(), "iat": t.IssuedAt.Unix(),
		"client_id": t.ClientID, "jti": newGrantID(), "scope": JoinScope(t.Scopes)}
	c["aud"] = audienceClaim(t)
	c["sub"] = t.ClientID
	if m.Subject != "" {
		c["sub"] = m.Subject
		if !m.AuthTime.IsZero() {
			c["auth_time"] = m.AuthTime.Unix()
			c["amr"] = []string{"pwd"} // the only way a user signs in here, as the id_token says (core/oidc)
		}
	}
	if t.JKT != "" {
		c["cnf"] = Confirmation{JKT: t.JKT} // RFC 9449 §6.1: the DPoP key the token is bound to
	}
	value, err := f.p.jwt.SignAccessToken(ctx, alg, c)
	if err != nil {
		return "", err
	}
	t.ID = Digest(value)
	return value, nil
}

// audienceClaim is aud of a token: its one resource as a string, several as an array (RFC 7519 §4.1.3).
func audienceClaim(t *store.Token) any {
	if len(t.Audience) == 1 {
		return t.Audience[0]
	}
	return t.Audience
}

// jwtID is the jti of a JWT access token value this server issued, "" for any other value (an opaque token).
// Introspection answers it as the token's jti, so a resource server sees the same id whether it verifies the JWT
// or introspects it. The value is not verified here: the caller found it in the store by its digest, so it is
// exactly what Mint signed.
func jwtID(value string) string {
	parts := strings.Split(value, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		JTI string `json:"jti"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	return c.JTI
}
