package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/assentry/assentry/internal/together"
	"github.com/assentry/assentry/store"
)

// Several instances of a server share one store: each has its own Manager of the same host, and the store's
// leases coordinate their key writes. These tests run the Managers on one real Badger store (the lease contract
// is the same on PostgreSQL: store/storetest runs it on both).

// instance returns a Manager of testHost on the env's store with the store's leases, as one instance of a server
// sharing it.
func (e *env) instance(t testing.TB, edit func(*Options)) *Manager {
	t.Helper()
	leases, ok := e.st.(store.Leases)
	if !ok {
		t.Fatalf("%T does not implement store.Leases", e.st)
	}
	return e.manager(t, func(o *Options) {
		o.Leases = leases
		if edit != nil {
			edit(o)
		}
	})
}

// atOnce runs fn(0..n-1) in n goroutines released at the same moment and fails t on any error.
func atOnce(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	for i, err := range together.Run(n, fn) {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
}

// perAlgorithm counts the stored keys of each algorithm.
func perAlgorithm(recs []*store.Key) map[string]int {
	out := map[string]int{}
	for _, k := range recs {
		out[k.Algorithm]++
	}
	return out
}

// Instances starting together on an empty store create one key per algorithm between them, and all serve it.
func TestConcurrentEnsureCreatesOneKeyPerAlgorithm(t *testing.T) {
	const instances = 4
	for round := range 3 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			e := newEnv(t)
			ms := make([]*Manager, instances)
			for i := range ms {
				ms[i] = e.instance(t, nil)
			}
			atOnce(t, instances, func(i int) error { return ms[i].Ensure(context.Background()) })
			recs := e.stored(t)
			if got := perAlgorithm(recs); len(recs) != 3 || got[RS256] != 1 || got[ES256] != 1 || got[EdDSA] != 1 {
				t.Fatalf("%d instances starting together stored %v, want one key per algorithm", instances, got)
			}
			want := kids(mustJWKS(t, ms[0]))
			for i, m := range ms {
				if got := kids(mustJWKS(t, m)); !slices.Equal(got, want) {
					t.Errorf("instance %d publishes %v, instance 0 %v", i, got, want)
				}
				for _, alg := range SupportedAlgorithms() {
					if _, err := m.Parse(context.Background(), e.sign(t, ms[(i+1)%instances], alg), &idClaims{}, idTokenOpts()...); err != nil {
						t.Errorf("instance %d does not verify instance %d's %s token: %v", i, (i+1)%instances, alg, err)
					}
				}
			}
		})
	}
}

// Instances ticking at once, when the signing key is due, create one successor between them; the others reload.
func TestConcurrentTicksCreateOneSuccessor(t *testing.T) {
	const instances = 4
	e := newEnv(t)
	ms := make([]*Manager, instances)
	for i := range ms {
		ms[i] = e.instance(t, func(o *Options) { o.Algorithms = []string{ES256, EdDSA} })
		if err := ms[i].Ensure(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for rotation := 1; rotation <= 3; rotation++ {
		e.clock.Advance(DefaultRotationInterval)
		atOnce(t, instances, func(i int) error { return ms[i].Tick(context.Background()) })
		live := slices.DeleteFunc(e.stored(t), func(k *store.Key) bool { return !k.RetireAt.IsZero() })
		if got := perAlgorithm(live); len(live) != 4 || got[ES256] != 2 || got[EdDSA] != 2 {
			t.Fatalf("rotation %d: unretired keys %v after %d instances ticked at once, want the signing key and "+
				"one successor per algorithm", rotation, got, instances)
		}
		// Every instance publishes them within its refresh interval (one that reloaded while the holder was
		// writing may have missed them until then).
		e.clock.Advance(DefaultRefreshInterval)
		for i, m := range ms {
			if n := len(keysIn(mustJWKS(t, m), StateNext, m)); n != 2 {
				t.Errorf("rotation %d: instance %d publishes %d next keys, want 2", rotation, i, n)
			}
		}
		e.clock.Advance(DefaultPublishAhead) // the successors sign; the next rotation's Tick retires their predecessors
	}
}

// keysIn returns the kids of set that m lists in state st.
func keysIn(set *JWKS, st KeyState, m *Manager) []string {
	infos, _ := m.List(context.Background())
	var out []string
	for _, k := range set.Keys {
		for _, in := range infos {
			if in.KID == k.KeyID && in.State == st {
				out = append(out, k.KeyID)
			}
		}
	}
	return out
}

// A key rotated by instance A is in instance B's JWKS before A signs with it, and B verifies A's tokens signed
// with it: checked at every step of the clock from the rotation to well past the key's NotBefore, with the
// default lead and with a short one.
func TestRotatedKeyPublishedEverywhereBeforeItSigns(t *testing.T) {
	for _, ahead := range []time.Duration{DefaultPublishAhead, 8 * time.Second} {
		t.Run(ahead.String(), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			edit := func(o *Options) { o.Algorithms, o.PublishAhead = []string{ES256}, ahead }
			a, b := e.instance(t, edit), e.instance(t, edit)
			for _, m := range []*Manager{a, b} {
				if err := m.Ensure(ctx); err != nil {
					t.Fatal(err)
				}
			}
			old := kidOf(t, e.sign(t, a, ES256))
			mustJWKS(t, b) // B's cache is loaded now, before the rotation
			next, err := a.Rotate(ctx, ES256)
			if err != nil {
				t.Fatal(err)
			}
			step := b.RefreshInterval() / 4
			var inB time.Time // when B first published the new key
			signedNew := false
			for end := next.NotBefore.Add(2 * b.RefreshInterval()); e.clock.Now().Before(end); e.clock.Advance(step) {
				now := e.clock.Now()
				if inB.IsZero() && slices.Contains(kids(mustJWKS(t, b)), next.KID) {
					inB = now
				}
				tok := e.sign(t, a, ES256)
				switch kid := kidOf(t, tok); {
				case kid == next.KID && inB.IsZero():
					t.Fatalf("A signs with %s at %v, before B publishes it", kid, now)
				case kid == next.KID:
					signedNew = true
					if _, err := b.Parse(ctx, tok, &idClaims{}, idTokenOpts()...); err != nil {
						t.Fatalf("B does not verify A's token signed with the new key: %v", err)
					}
					if _, err := jwt.Parse(tok, jwksKeyfunc(t, mustJWKS(t, b)), jwt.WithTimeFunc(e.clock.Now)); err != nil {
						t.Fatalf("a relying party with B's JWKS does not verify A's token: %v", err)
					}
				case kid != old:
					t.Fatalf("A signs with %s, neither the old key %s nor the new %s", kid, old, next.KID)
				}
			}
			if !signedNew {
				t.Fatalf("A never signed with the new key %s (NotBefore %v)", next.KID, next.NotBefore)
			}
			if lag := inB.Sub(next.CreatedAt); lag > b.RefreshInterval() {
				t.Errorf("B published the new key %v after its creation, more than its refresh interval %v", lag, b.RefreshInterval())
			}
			if lead := next.NotBefore.Sub(inB); lead < b.JWKSMaxAge() {
				t.Errorf("B published the new key %v before it signs, less than the JWKS max-age %v: a relying party's "+
					"cached copy would not know it", lead, b.JWKSMaxAge())
			}
		})
	}
}

// countingKeys is the real key store, counting its List calls (the reads of the whole key set).
type countingKeys struct {
	store.KeyStore
	lists atomic.Int64
}

func (c *countingKeys) List(ctx context.Context, host, use string) ([]*store.Key, error) {
	c.lists.Add(1)
	return c.KeyStore.List(ctx, host, use)
}

// An instance whose cache is fresh but lacks a key another instance signs with (its keys were read before the
// other wrote them) reads the key set again once, and verifies the token; a kid that is nobody's costs at most
// one store read per unknownEvery, however many tokens name one.
func TestUnknownKidReloadsOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	keys := &countingKeys{KeyStore: e.st.Keys()}
	b := e.instance(t, func(o *Options) { o.Keys, o.Algorithms = keys, []string{ES256} })
	if _, err := b.JWKS(ctx); err != nil { // B's cache: read now, while the store is still empty
		t.Fatal(err)
	}
	a := e.instance(t, func(o *Options) { o.Algorithms = []string{ES256} })
	if err := a.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	tok := e.sign(t, a, ES256)
	before := keys.lists.Load()
	if _, err := b.Parse(ctx, tok, &idClaims{}, idTokenOpts()...); err != nil {
		t.Fatalf("B does not verify a token of A's key it had not loaded: %v", err)
	}
	if n := keys.lists.Load() - before; n != 1 {
		t.Errorf("B read the key set %d times to verify it, want once", n)
	}

	// Tokens of a key nobody stored: refused, and the store is read at most once per unknownEvery.
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	forged := func(kid string) string {
		f := jwt.NewWithClaims(jwt.SigningMethodES256, newIDClaims(e.clock.Now(), ES256))
		f.Header["kid"] = kid
		s, err := f.SignedString(priv)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	reads := func(n int) int64 {
		before := keys.lists.Load()
		for i := range n {
			if _, err := b.Parse(ctx, forged(fmt.Sprint("nobody-", i)), &idClaims{}, idTokenOpts()...); err == nil {
				t.Fatal("a token of an unknown key verified")
			}
		}
		return keys.lists.Load() - before
	}
	if n := reads(20); n != 0 {
		t.Errorf("20 unknown kids right after a reload read the store %d times, want 0", n)
	}
	e.clock.Advance(unknownEvery)
	if n := reads(20); n != 1 {
		t.Errorf("20 unknown kids %v later read the store %d times, want once", unknownEvery, n)
	}
}

// The key cache refresh is well within PublishAhead, and with the JWKS max-age stays below it.
func TestRefreshAndMaxAgeFitPublishAhead(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		ahead, refresh    time.Duration // options
		wantEvery, maxAge time.Duration
	}{
		{ahead: 0, wantEvery: time.Minute, maxAge: 10 * time.Minute},
		{ahead: 8 * time.Second, wantEvery: 2 * time.Second, maxAge: 4 * time.Second},
		{ahead: 2 * time.Minute, wantEvery: 30 * time.Second, maxAge: 67 * time.Second},
		{ahead: time.Hour, refresh: 10 * time.Second, wantEvery: 10 * time.Second, maxAge: 10 * time.Minute},
	}
	for _, tt := range tests {
		m := e.manager(t, func(o *Options) { o.PublishAhead, o.RefreshInterval = tt.ahead, tt.refresh })
		if m.RefreshInterval() != tt.wantEvery || m.JWKSMaxAge() != tt.maxAge {
			t.Errorf("PublishAhead %v, RefreshInterval %v: refresh %v, JWKS max-age %v; want %v, %v", tt.ahead,
				tt.refresh, m.RefreshInterval(), m.JWKSMaxAge(), tt.wantEvery, tt.maxAge)
		}
		if m.RefreshInterval()+m.JWKSMaxAge() >= m.ahead {
			t.Errorf("PublishAhead %v: refresh %v + max-age %v do not fit in it", m.ahead, m.RefreshInterval(), m.JWKSMaxAge())
		}
	}
}

// TestStalledHolderStops: a holder whose step stalled past the lease does not take the lease again to go on
// writing (another instance may have taken it, rotated and released it meanwhile): its renewal fails and the
// lease stays with whoever took it since.
func TestStalledHolderStops(t *testing.T) {
	e := newEnv(t)
	a, b := e.instance(t, nil), e.instance(t, nil)
	ctx := context.Background()
	err := a.exclusive(ctx, func() error {
		a.leaseAt = time.Now().Add(-leaseTTL) // as if this step had stalled for the whole lease
		return a.stillHeld(ctx)
	})
	if err == nil || !strings.Contains(err.Error(), "ran out during a rotation step") {
		t.Fatalf("a stalled holder renewed its lease: %v", err)
	}
	if err := b.exclusive(ctx, func() error { return nil }); err != nil {
		t.Fatalf("the lease after the stalled holder stopped: %v", err)
	}
}
