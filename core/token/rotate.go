package token

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
)

// Ensure prepares the host's keys at start: every kept algorithm gets a key that signs at once if it has none
// (first start, or an algorithm just added), the rotation step of Tick runs, keys stored in plaintext are sealed
// when a KEK is configured, and every key is loaded. A key that cannot be decrypted fails Ensure, so a wrong
// key_encryption_key stops the server at start, not at the first login. Ensure is idempotent.
//
// With Options.Leases, the writes happen under the host's lease. While another process holds it (instances
// starting together on an empty store), Ensure creates nothing: it reloads the keys, and returns once every kept
// algorithm has a key that signs, or once it gets the lease itself and finds nothing left to do.
func (m *Manager) Ensure(ctx context.Context) error {
	// Load first: with a wrong KEK, fail before writing anything (a new key sealed under the wrong KEK).
	if _, err := m.refresh(ctx, true); err != nil {
		return err
	}
	// A restart with keys in order writes nothing and takes no lease: a store that refuses writes (a full disk)
	// must not keep the server from starting with the keys it has.
	if idle, err := m.idle(ctx, "", true); err != nil || idle {
		return err
	}
	written := func() (bool, error) {
		s, err := m.refresh(ctx, true)
		return err == nil && m.complete(s), err
	}
	return m.exclusiveWait(ctx, written, func() error {
		_, err := m.reconcile(ctx, "", true)
		return err
	})
}

// complete reports whether every kept algorithm has a key of s that signs now.
func (m *Manager) complete(s *keySet) bool {
	now, ready := m.now(), m.ready(s)
	for _, alg := range m.algs {
		if s.signer(alg, now, ready) == nil {
			return false
		}
	}
	return true
}

// Tick is the periodic rotation step; the server calls it every minute or so. Per kept algorithm:
//   - a key whose CreatedAt is RotationInterval ago gets a successor, published now and signing from
//     now + PublishAhead (only if no successor is pending);
//   - once a successor signs, the key before it is retired: RetireAt = the successor's NotBefore, ExpiresAt =
//     RetireAt + MaxTokenTTL (the store drops it then, and with it from the JWKS), private half erased;
//   - an algorithm without a signing key gets one at once.
//
// Keys of algorithms no longer kept are retired now. Tick is idempotent for a given instant.
//
// With Options.Leases, the step runs under the host's lease; when another process holds it (its own Tick, a
// Rotate), this one reloads the keys instead, so that two instances ticking at once create one successor.
func (m *Manager) Tick(ctx context.Context) error {
	// Most ticks have nothing to write: they reload the keys and take no lease (a write of its own).
	if idle, err := m.idle(ctx, "", false); err != nil || idle {
		if err == nil {
			_, err = m.refresh(ctx, true)
		}
		return err
	}
	err := m.exclusive(ctx, func() error {
		_, err := m.reconcile(ctx, "", false)
		return err
	})
	if errors.Is(err, errLeaseHeld) {
		_, err = m.refresh(ctx, true)
	}
	return err
}

// Rotate forces a rotation of alg (`assentry keys rotate`): a successor is created now and published, and it
// signs from now + PublishAhead; the old key then retires as in Tick. If a successor is already pending, Rotate
// creates nothing and returns it: rotating twice within PublishAhead must not skip a key that clients may not
// have fetched yet, and a retried CLI call is harmless. It returns the pending successor.
//
// Rotate is not an emergency revocation: the old key keeps signing until the successor's NotBefore. With
// Options.Leases it waits for the host's lease while another process holds it, then finds that process's
// successor pending, if it made one, and returns it.
func (m *Manager) Rotate(ctx context.Context, alg string) (KeyInfo, error) {
	if !kept(m.algs, alg) {
		return KeyInfo{}, fmt.Errorf("%w %q: this host keeps keys for %v", ErrUnknownAlgorithm, alg, m.algs)
	}
	var next *KeyInfo
	err := m.exclusiveWait(ctx, func() (bool, error) { return false, nil }, func() (err error) {
		next, err = m.reconcile(ctx, alg, false)
		return err
	})
	if err != nil {
		return KeyInfo{}, err
	}
	if next == nil { // cannot happen: a forced step always leaves a successor or a new key
		return KeyInfo{}, fmt.Errorf("token: rotate %s: no successor", alg)
	}
	return *next, nil
}

// reconcile runs one rotation step over every algorithm, then reloads the cache. force names an algorithm to
// rotate now whatever its key's age; its pending successor (or the key made because none could sign) is
// returned. seal re-seals plaintext keys under the KEK. Each write is its own store write: a step cut short by an
// error leaves a consistent state that the next step completes. The caller holds the write lock (exclusive).
func (m *Manager) reconcile(ctx context.Context, force string, seal bool) (*KeyInfo, error) {
	now := m.now()
	recs, err := m.keys.List(ctx, m.host, keyUse)
	if err != nil {
		return nil, fmt.Errorf("token: list signing keys: %w", err)
	}
	var next *KeyInfo
	for _, alg := range SupportedAlgorithms() {
		mine := slices.DeleteFunc(slices.Clone(recs), func(k *store.Key) bool { return k.Algorithm != alg })
		if seal {
			if err := m.sealPlain(ctx, mine); err != nil {
				return nil, err
			}
		}
		p := m.plan(mine, alg, alg == force, now, m.ready(m.cache.Load()))
		for _, r := range p.retire {
			if err := m.retire(ctx, r.key, r.at); err != nil {
				return nil, err
			}
		}
		if p.create {
			if p.next, err = m.create(ctx, alg, now, p.notBefore); err != nil {
				return nil, err
			}
			reason := "scheduled" // due by age, or no key could sign
			switch {
			case alg == force:
				reason = "forced"
			case len(mine) == 0:
				reason = "initial" // the algorithm's first key
			}
			m.events.Emit(ctx, events.Event{Kind: events.KeyRotated, Host: m.host, KeyID: p.next.ID, Algorithm: alg,
				Reason: reason})
		}
		if alg == force && p.next != nil {
			info := infoOf(p.next, StateNext)
			if !p.next.NotBefore.After(now) {
				info.State = StateSigning
			}
			next = &info
		}
	}
	_, err = m.refresh(ctx, true)
	return next, err
}

// idle reports whether a rotation step (reconcile with force and seal) would write nothing now: no key to create,
// retire or seal. It only reads; the step itself plans again under the lease.
func (m *Manager) idle(ctx context.Context, force string, seal bool) (bool, error) {
	recs, err := m.keys.List(ctx, m.host, keyUse)
	if err != nil {
		return false, fmt.Errorf("token: list signing keys: %w", err)
	}
	now, ready := m.now(), m.ready(m.cache.Load())
	for _, alg := range SupportedAlgorithms() {
		mine := slices.DeleteFunc(slices.Clone(recs), func(k *store.Key) bool { return k.Algorithm != alg })
		if seal && m.kek != nil && slices.ContainsFunc(mine, func(k *store.Key) bool {
			return len(k.Private) != 0 && !sealed(k.Private) && k.RetireAt.IsZero()
		}) {
			return false, nil
		}
		if p := m.plan(mine, alg, alg == force, now, ready); p.create || len(p.retire) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// plan is what one rotation step does to the keys of one algorithm.
type plan struct {
	retire    []retirement
	create    bool // create a key signing from notBefore
	notBefore time.Time
	next      *store.Key // the pending successor, or the key created
}

type retirement struct {
	key *store.Key
	at  time.Time
}

// plan decides the step for keys, the stored keys of alg, at now (ready: see Manager.ready). It is pure, so its rules read in one place.
func (m *Manager) plan(keys []*store.Key, alg string, force bool, now time.Time, ready func(*store.Key) bool) plan {
	var p plan
	var due, pending []*store.Key // not retired: signing from NotBefore <= now, or later
	for _, k := range keys {
		switch {
		case !k.RetireAt.IsZero():
		case k.NotBefore.After(now) || !ready(k): // a clock jumping forward does not cut a key's lead short
			pending = append(pending, k)
		default:
			due = append(due, k)
		}
	}
	if !kept(m.algs, alg) {
		for _, k := range append(due, pending...) {
			p.retire = append(p.retire, retirement{k, now})
		}
		return p
	}
	slices.SortFunc(due, cmpNewer) // oldest first
	// Every due key but the newest was superseded when the next one's NotBefore came: it signed until then.
	for i := 0; i+1 < len(due); i++ {
		p.retire = append(p.retire, retirement{due[i], due[i+1].NotBefore})
	}
	switch {
	case len(due) == 0 && len(pending) == 0: // first start, new algorithm: a key that signs at once
		p.create, p.notBefore = true, now
	case len(pending) > 0:
		// With no key due, the clock was set back before every NotBefore: the earliest pending key signs
		// (fallback), and no new key is made, since it would sign before anyone could fetch it.
		p.next = slices.MaxFunc(pending, cmpNewer)
	case force || now.Sub(due[len(due)-1].CreatedAt) >= m.rotation:
		p.create, p.notBefore = true, now.Add(m.ahead)
	}
	return p
}

// cmpNewer compares keys in take-over order (see newer).
func cmpNewer(a, b *store.Key) int {
	switch {
	case newer(a, b):
		return 1
	case newer(b, a):
		return -1
	}
	return 0
}

// create generates a key of alg signing from notBefore and stores it.
func (m *Manager) create(ctx context.Context, alg string, now, notBefore time.Time) (*store.Key, error) {
	priv, err := m.generate(alg)
	if err != nil {
		return nil, fmt.Errorf("token: generate %s key: %w", alg, err)
	}
	jwk, err := publicJWK(alg, priv.Public())
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	defer clear(der)
	if err := m.stillHeld(ctx); err != nil { // generating an RSA key may have taken a while
		return nil, err
	}
	env, err := seal(m.kek, m.host, jwk.KeyID, der)
	if err != nil {
		return nil, err
	}
	k := &store.Key{ID: jwk.KeyID, Host: m.host, Use: keyUse, Algorithm: alg, Private: env, Public: pub,
		CreatedAt: now, NotBefore: notBefore}
	if err := m.keys.Create(ctx, k); err != nil {
		return nil, fmt.Errorf("token: store %s key %s: %w", alg, k.ID, err)
	}
	m.log.InfoContext(ctx, "signing key created", "host", m.host, "kid", k.ID, "alg", alg,
		"not_before", notBefore, "sealed", m.kek != nil)
	return k, nil
}

// retire records that k stopped signing at at. Its private half is erased in the same write: a retired key only
// verifies, so nothing that could sign with it is left behind.
func (m *Manager) retire(ctx context.Context, k *store.Key, at time.Time) error {
	if err := m.stillHeld(ctx); err != nil {
		return err
	}
	r := *k
	r.RetireAt, r.ExpiresAt, r.Private = at, at.Add(m.maxTTL), nil
	if err := m.keys.Put(ctx, &r); err != nil {
		return fmt.Errorf("token: retire signing key %s: %w", k.ID, err)
	}
	m.log.InfoContext(ctx, "signing key retired", "host", m.host, "kid", k.ID, "alg", k.Algorithm,
		"retire_at", r.RetireAt, "expires_at", r.ExpiresAt)
	return nil
}

// sealPlain seals, under the KEK, the private halves stored in plaintext before a KEK was configured.
func (m *Manager) sealPlain(ctx context.Context, keys []*store.Key) error {
	if m.kek == nil {
		return nil
	}
	for _, k := range keys {
		if len(k.Private) == 0 || sealed(k.Private) || !k.RetireAt.IsZero() {
			continue
		}
		der, err := open(nil, m.host, k.ID, k.Private)
		if err != nil {
			return err
		}
		env, err := seal(m.kek, m.host, k.ID, der)
		clear(der)
		if err != nil {
			return err
		}
		if err := m.stillHeld(ctx); err != nil {
			return err
		}
		r := *k
		r.Private = env
		if err := m.keys.Put(ctx, &r); err != nil {
			return fmt.Errorf("token: seal signing key %s: %w", k.ID, err)
		}
		m.log.InfoContext(ctx, "signing key sealed with the key_encryption_key", "host", m.host, "kid", k.ID)
	}
	return nil
}
