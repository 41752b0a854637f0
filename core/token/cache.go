package token

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/assentry/assentry/store"
)

// retryEvery is how soon a failed refresh is retried; meanwhile the keys loaded before keep serving.
const retryEvery = 5 * time.Second

// keySet is an immutable snapshot of the host's keys, parsed and decrypted once.
type keySet struct {
	keys      []*loadedKey // oldest first, as the store lists them
	byKID     map[string]*loadedKey
	loadedAt  time.Time // the Manager's clock when read
	refreshAt time.Time // read the store again from then on
	// leadFrom holds, for each key, the Elapsed reading from which its publication lead is counted in real time:
	// when this Manager first loaded the key, less the part of the lead the clock said had passed by then
	// (Manager.ready).
	leadFrom map[string]time.Duration
}

// loadedKey is one key ready to use.
type loadedKey struct {
	rec    *store.Key // metadata; Private is dropped once parsed
	public crypto.PublicKey
	signer crypto.Signer // nil for a retired key: it never signs again
	method jwt.SigningMethod
	jwk    JWK
}

// records returns the metadata of every key of the set.
func (s *keySet) records() []*store.Key {
	out := make([]*store.Key, len(s.keys))
	for i, k := range s.keys {
		out[i] = k.rec
	}
	return out
}

// signer returns the key that signs for alg at now (see pick), nil if there is none.
func (s *keySet) signer(alg string, now time.Time, ready func(*store.Key) bool) *loadedKey {
	k, _ := pick(s.keys, func(k *loadedKey) *store.Key { return k.rec }, alg, now, ready,
		func(k *loadedKey) bool { return k.signer != nil })
	return k
}

func (s *keySet) leadStart(kid string) (time.Duration, bool) {
	if s == nil {
		return 0, false
	}
	at, ok := s.leadFrom[kid]
	return at, ok
}

// lead is how long k is published before it signs: PublishAhead for a successor, nothing for the first key.
func lead(k *store.Key, ahead time.Duration) time.Duration {
	return min(max(k.NotBefore.Sub(k.CreatedAt), 0), ahead)
}

// ready returns the test of whether a key's publication lead has passed in real time (see Options.Elapsed) for
// the keys of s. Once this Manager has seen a key, a clock jumping forward no longer shortens its lead; a key
// it has not loaded yet (another process's, a moment ago) is judged by the clock alone.
func (m *Manager) ready(s *keySet) func(*store.Key) bool {
	elapsed := m.elapsed()
	return func(k *store.Key) bool {
		at, ok := s.leadStart(k.ID)
		return !ok || elapsed-at >= lead(k, m.ahead)
	}
}

// keySet returns the cached keys, reading the store when they are older than RefreshInterval (or the clock went
// back). This is the only store access of Sign, Parse and JWKS.
func (m *Manager) keySet(ctx context.Context) (*keySet, error) {
	if s := m.cache.Load(); s != nil && fresh(s, m.now()) {
		return s, nil
	}
	return m.refresh(ctx, false)
}

func fresh(s *keySet, now time.Time) bool { return now.Before(s.refreshAt) && !now.Before(s.loadedAt) }

// refresh reads the store into a new snapshot; force does so even if the cache is fresh (after this Manager wrote
// keys). A failed refresh that was not forced keeps serving the previous snapshot, logs, and retries soon: a
// store hiccup must not stop signing with keys already known.
func (m *Manager) refresh(ctx context.Context, force bool) (*keySet, error) {
	m.loadMu.Lock()
	defer m.loadMu.Unlock()
	now := m.now()
	old := m.cache.Load()
	if !force && old != nil && fresh(old, now) {
		return old, nil // another caller refreshed while this one waited
	}
	s, err := m.load(ctx, old, now)
	switch {
	case err == nil:
		m.cache.Store(s)
		return s, nil
	case old == nil || force:
		return nil, err
	}
	m.log.ErrorContext(ctx, "signing keys: refresh failed, still using the keys loaded before", "host", m.host, "err", err)
	stale := *old
	stale.refreshAt = now.Add(retryEvery)
	m.cache.Store(&stale)
	return &stale, nil
}

// load reads the host's keys and parses each, reusing what old already parsed: a key is decrypted once per
// Manager, not once per refresh.
func (m *Manager) load(ctx context.Context, old *keySet, now time.Time) (*keySet, error) {
	recs, err := m.keys.List(ctx, m.host, keyUse)
	if err != nil {
		return nil, fmt.Errorf("token: list signing keys: %w", err)
	}
	s := &keySet{byKID: make(map[string]*loadedKey, len(recs)), loadedAt: now, refreshAt: now.Add(m.every),
		leadFrom: map[string]time.Duration{}}
	elapsed := m.elapsed()
	for _, rec := range recs {
		if at, ok := old.leadStart(rec.ID); ok {
			s.leadFrom[rec.ID] = at
		} else {
			// Before this process saw the key, the clock is the only witness: trust it that far.
			s.leadFrom[rec.ID] = elapsed - min(max(now.Sub(rec.CreatedAt), 0), lead(rec, m.ahead))
		}
		if method(rec.Algorithm) == nil {
			m.log.WarnContext(ctx, "signing keys: skipping a key of an unknown algorithm",
				"host", m.host, "kid", rec.ID, "alg", rec.Algorithm)
			continue
		}
		var prev *loadedKey
		if old != nil {
			prev = old.byKID[rec.ID]
		}
		k, err := m.parse(rec, prev)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, k)
		s.byKID[rec.ID] = k
	}
	return s, nil
}

// parse turns a stored key into a loadedKey. The private half is opened only while the key may still sign.
func (m *Manager) parse(rec *store.Key, prev *loadedKey) (*loadedKey, error) {
	needPrivate := rec.RetireAt.IsZero() // a retired key never signs again (canSign), and its private half is gone
	priv := rec.Private
	meta := *rec
	meta.Private = nil
	if prev != nil && prev.rec.Algorithm == rec.Algorithm && bytes.Equal(prev.rec.Public, rec.Public) &&
		(prev.signer != nil || !needPrivate) {
		k := *prev // same key material: only the times (RetireAt, ExpiresAt) may have changed
		k.rec = &meta
		if !needPrivate {
			k.signer = nil
		}
		return &k, nil
	}
	pub, err := x509.ParsePKIXPublicKey(rec.Public)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: public key: %w", rec.ID, err)
	}
	jwk, err := publicJWK(rec.Algorithm, pub)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", rec.ID, err)
	}
	jwk.KeyID = rec.ID
	k := &loadedKey{rec: &meta, public: pub, method: method(rec.Algorithm), jwk: jwk}
	if needPrivate {
		if k.signer, err = m.openPrivate(rec.ID, priv, pub); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// openPrivate opens and parses a private key envelope and checks it belongs to pub.
func (m *Manager) openPrivate(kid string, env []byte, pub crypto.PublicKey) (crypto.Signer, error) {
	der, err := open(m.kek, m.host, kid, env)
	if err != nil {
		return nil, err
	}
	defer clear(der)
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: private key: %w", kid, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok || !samePublic(pub, signer.Public()) {
		return nil, fmt.Errorf("signing key %s: private key does not match its public key", kid)
	}
	return signer, nil
}
