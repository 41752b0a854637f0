package dpop

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/assentry/assentry/store"
)

// Secrets gives a host's nonce secret of the rotation period an instant falls in: the same bytes on every
// instance of the host.
type Secrets interface {
	Secret(ctx context.Context, at time.Time) ([]byte, error)
}

// KeyUse is the store.Key use of nonce secrets, which no JWKS publishes (it lists use "sig" only).
const KeyUse = "dpop-nonce"

// secretSize is the length of a nonce secret: 256 bits for HMAC-SHA256.
const secretSize = 32

// StoredSecrets keeps one random secret per rotation period in the host's key store, under the kid
// "dpop-nonce-<period>". The first instance to need a period's secret creates it; an instance that loses that
// race (ErrConflict) reads the winner's. A secret expires two periods after its own starts, when no nonce made
// with it can be accepted any more. Secrets are cached in memory once read.
type StoredSecrets struct {
	Host string
	Keys store.KeyStore
	// Rotation is the length of a period (DefaultNonceRotation when zero).
	Rotation time.Duration
	Now      func() time.Time

	mu    sync.Mutex
	cache map[int64][]byte
}

// Secret returns the secret of the period at falls in.
func (s *StoredSecrets) Secret(ctx context.Context, at time.Time) ([]byte, error) {
	rot := s.Rotation
	if rot <= 0 {
		rot = DefaultNonceRotation
	}
	period := at.UnixNano() / int64(rot)
	s.mu.Lock()
	b, ok := s.cache[period]
	s.mu.Unlock()
	if ok {
		return b, nil
	}
	kid := fmt.Sprintf("%s-%d", KeyUse, period)
	k, err := s.Keys.Get(ctx, s.Host, kid)
	if errors.Is(err, store.ErrNotFound) {
		b := make([]byte, secretSize)
		_, _ = rand.Read(b)
		now := time.Now().UTC()
		if s.Now != nil {
			now = s.Now().UTC()
		}
		k = &store.Key{ID: kid, Host: s.Host, Use: KeyUse, Algorithm: "HS256", Private: b, CreatedAt: now,
			NotBefore: now, ExpiresAt: time.Unix(0, (period+2)*int64(rot)).UTC()}
		if err = s.Keys.Create(ctx, k); errors.Is(err, store.ErrConflict) {
			k, err = s.Keys.Get(ctx, s.Host, kid)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: nonce secret: %w", ErrStore, err)
	}
	if len(k.Private) < secretSize {
		return nil, fmt.Errorf("%w: nonce secret %s is too short", ErrStore, kid)
	}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[int64][]byte{}
	}
	for p := range s.cache {
		if p < period-1 {
			delete(s.cache, p)
		}
	}
	s.cache[period] = k.Private
	s.mu.Unlock()
	return k.Private, nil
}
