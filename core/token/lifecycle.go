package token

import (
	"context"
	"slices"
	"time"

	"github.com/assentry/assentry/store"
)

// KeyState is where a signing key is in its lifecycle: next → signing → retired → gone (ExpiresAt).
type KeyState string

// Key states, as `assentry keys list` shows them.
const (
	// StateNext: published in the JWKS, signs from its NotBefore on.
	StateNext KeyState = "next"
	// StateSigning: the key of its algorithm that signs now.
	StateSigning KeyState = "signing"
	// StateRetired: signs no more; published until ExpiresAt, when every token it signed has expired.
	StateRetired KeyState = "retired"
)

// KeyInfo describes one stored signing key, without any key material.
type KeyInfo struct {
	KID       string    `json:"kid"`
	Algorithm string    `json:"alg"`
	State     KeyState  `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	NotBefore time.Time `json:"not_before"`
	RetireAt  time.Time `json:"retire_at,omitzero"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// List returns the host's stored signing keys, read from the store (not the cache), for `assentry keys list`:
// grouped by algorithm in the order of Options.Algorithms, oldest first within one. Keys past ExpiresAt are gone
// and not listed.
func (m *Manager) List(ctx context.Context) ([]KeyInfo, error) {
	recs, err := m.keys.List(ctx, m.host, keyUse)
	if err != nil {
		return nil, err
	}
	now := m.now()
	state := states(recs, now, m.ready(m.cache.Load()))
	slices.SortStableFunc(recs, func(a, b *store.Key) int {
		if c := m.algRank(a.Algorithm) - m.algRank(b.Algorithm); c != 0 {
			return c
		}
		return cmpNewer(a, b)
	})
	out := make([]KeyInfo, len(recs))
	for i, k := range recs {
		out[i] = infoOf(k, state[k.ID])
	}
	return out, nil
}

func infoOf(k *store.Key, st KeyState) KeyInfo {
	return KeyInfo{KID: k.ID, Algorithm: k.Algorithm, State: st, CreatedAt: k.CreatedAt, NotBefore: k.NotBefore,
		RetireAt: k.RetireAt, ExpiresAt: k.ExpiresAt}
}

// canSign reports whether k may sign at now: its NotBefore is reached and it is not retired. Among the keys of
// one algorithm that can, the one with the latest NotBefore signs; that choice is made from the keys' times alone,
// so a successor takes over at its NotBefore even before a Tick records the old key's retirement, and every
// process holding the same keys picks the same one, unless a clock jump held a successor back in one process
// (Manager.ready).
//
// Retirement is final whatever the clock says: a retired key's private half is erased, and a clock set back
// before its RetireAt must not revive it (docs/architecture.md §3, "Clocks").
func canSign(k *store.Key, now time.Time) bool {
	return !k.NotBefore.After(now) && k.RetireAt.IsZero() && published(k, now)
}

// fallback reports whether k may sign at now when no key of its algorithm can (see canSign): the clock was set
// back before the NotBefore of every live key. The live key with the earliest NotBefore then signs: it is
// stored, so published, and it is the one that signed last (or the host's first key). Making a new key instead
// would sign with one no relying party has fetched.
func fallback(k *store.Key, now time.Time) bool {
	return k.RetireAt.IsZero() && published(k, now)
}

// pick returns the key that signs for alg at now among keys (nil if none): the newest that can sign, else the
// earliest fallback. ready holds back a key whose publication lead has not passed in real time (Manager.ready);
// ok filters the candidates (the cache passes only keys it can sign with).
func pick[K any](keys []K, rec func(K) *store.Key, alg string, now time.Time, ready func(*store.Key) bool,
	ok func(K) bool) (K, bool) {
	var best, early K
	var haveBest, haveEarly bool
	for _, k := range keys {
		r := rec(k)
		if r.Algorithm != alg || !ok(k) {
			continue
		}
		if canSign(r, now) && ready(r) && (!haveBest || newer(r, rec(best))) {
			best, haveBest = k, true
		}
		if fallback(r, now) && (!haveEarly || newer(rec(early), r)) {
			early, haveEarly = k, true
		}
	}
	if haveBest {
		return best, true
	}
	return early, haveEarly
}

// newer orders keys by NotBefore, then CreatedAt, then kid: the total order in which keys take over.
func newer(a, b *store.Key) bool {
	if c := a.NotBefore.Compare(b.NotBefore); c != 0 {
		return c > 0
	}
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c > 0
	}
	return a.ID > b.ID
}

// states returns the state of each key of recs at now.
func states(recs []*store.Key, now time.Time, ready func(*store.Key) bool) map[string]KeyState {
	cur := map[string]*store.Key{} // algorithm → signing key
	self := func(k *store.Key) *store.Key { return k }
	for _, k := range recs {
		if _, done := cur[k.Algorithm]; !done {
			cur[k.Algorithm], _ = pick(recs, self, k.Algorithm, now, ready, func(*store.Key) bool { return true })
		}
	}
	out := make(map[string]KeyState, len(recs))
	for _, k := range recs {
		switch {
		case cur[k.Algorithm] == k:
			out[k.ID] = StateSigning
		case (k.NotBefore.After(now) || !ready(k)) && k.RetireAt.IsZero():
			out[k.ID] = StateNext
		default: // retired, or superseded by a newer key whose retirement a Tick has yet to record
			out[k.ID] = StateRetired
		}
	}
	return out
}

// stateRank orders states in the JWKS: signing, next, retired.
func stateRank(s KeyState) int {
	switch s {
	case StateSigning:
		return 0
	case StateNext:
		return 1
	}
	return 2
}
