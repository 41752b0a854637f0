package token

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Sign signs claims with the key that signs for alg now. The JOSE header carries alg, kid and typ "JWT". It reads
// only the cached keys (see keySet), never the store, unless the cache is due for its periodic refresh.
func (m *Manager) Sign(ctx context.Context, alg string, claims jwt.Claims) (string, error) {
	return m.sign(ctx, alg, "JWT", claims)
}

// TypeAccessToken is the JOSE typ of an RFC 9068 JWT access token (§2.1).
const TypeAccessToken = "at+jwt"

// SignAccessToken signs the claims of an RFC 9068 JWT access token: as Sign, with typ "at+jwt" (§2.1), so a
// resource server can tell it from an id_token signed by the same keys.
func (m *Manager) SignAccessToken(ctx context.Context, alg string, claims map[string]any) (string, error) {
	return m.sign(ctx, alg, TypeAccessToken, jwt.MapClaims(claims))
}

func (m *Manager) sign(ctx context.Context, alg, typ string, claims jwt.Claims) (string, error) {
	if !kept(m.algs, alg) {
		return "", fmt.Errorf("%w %q: this host keeps keys for %v", ErrUnknownAlgorithm, alg, m.algs)
	}
	s, err := m.keySet(ctx)
	if err != nil {
		return "", err
	}
	k := s.signer(alg, m.now(), m.ready(s))
	if k == nil {
		return "", fmt.Errorf("token: host %s has no %s key that can sign now (was Ensure called?)", m.host, alg)
	}
	t := jwt.NewWithClaims(k.method, claims) // sets alg and typ: JWT
	t.Header["typ"] = typ
	t.Header["kid"] = k.rec.ID
	return t.SignedString(k.signer)
}

// Parse verifies a JWT signed by one of this host's published keys and decodes its claims into claims (nil: a
// jwt.MapClaims). The key is the one named by the header's kid, and the header's alg must be that key's
// algorithm and one this Manager keeps: "none", HMAC with a public key as secret, and a key used with another
// algorithm are refused. Parse applies jwt.WithValidMethods of the kept algorithms and jwt.WithTimeFunc of the
// Manager's clock before opts, so callers add WithIssuer, WithAudience, WithExpirationRequired (and may narrow
// the methods further, never widen them).
//
// A key is published PublishAhead before it signs and the cache is at most RefreshInterval old, so a kid the
// cache does not hold is normally not one of ours. It may still be another instance's newest key, when this
// instance's refresh failed or the instances' clocks disagree: the key set is read again once, at most once per
// unknownEvery whatever the kids presented, before the token is refused.
func (m *Manager) Parse(ctx context.Context, tokenString string, claims jwt.Claims,
	opts ...jwt.ParserOption) (*jwt.Token, error) {
	s, err := m.keySet(ctx)
	if err != nil {
		return nil, err
	}
	now := m.now()
	if claims == nil {
		claims = jwt.MapClaims{}
	}
	all := make([]jwt.ParserOption, 0, len(opts)+2)
	all = append(all, jwt.WithValidMethods(m.algs), jwt.WithTimeFunc(m.now))
	all = append(all, opts...)
	return jwt.ParseWithClaims(tokenString, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k := s.byKID[kid]
		if k == nil && kid != "" {
			if s2 := m.reloadUnknown(ctx); s2 != nil {
				k = s2.byKID[kid]
			}
		}
		switch {
		case kid == "":
			return nil, errors.New("token has no kid")
		case k == nil || !published(k.rec, now):
			return nil, fmt.Errorf("kid %q is not a published key of this host", kid)
		case t.Method.Alg() != k.rec.Algorithm || !kept(m.algs, k.rec.Algorithm):
			return nil, fmt.Errorf("alg %q is not the algorithm of key %s", t.Method.Alg(), kid)
		}
		return k.public, nil
	}, all...)
}

// unknownEvery is how often, at most, Parse reads the store again for a kid the cache does not hold.
const unknownEvery = 5 * time.Second

// reloadUnknown reads the key set again for Parse, which met a kid the cache does not hold, unless that was done
// less than unknownEvery ago (by Elapsed): then it returns the cache as it is, so that tokens with made-up kids
// cannot make every request read the store. Callers racing for one reload wait for it and share its result.
// It returns nil when the read failed (logged; the cache is kept).
func (m *Manager) reloadUnknown(ctx context.Context) *keySet {
	now := int64(m.elapsed())
	last := m.lastUnknown.Load()
	if (last != math.MinInt64 && now-last < int64(unknownEvery)) || !m.lastUnknown.CompareAndSwap(last, now) {
		// Too soon, or another caller is reloading: use the cache once the refresh under way, if any, is done.
		m.loadMu.Lock()
		defer m.loadMu.Unlock()
		return m.cache.Load()
	}
	s, err := m.refresh(ctx, true)
	if err != nil {
		m.log.WarnContext(ctx, "signing keys: reloading for an unknown kid failed", "host", m.host, "err", err)
		return nil
	}
	return s
}
