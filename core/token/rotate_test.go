package token

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/assentry/assentry/core/events"
)

func TestRotation(t *testing.T) {
	tests := []struct {
		name   string
		alg    string
		forced bool // Rotate instead of waiting RotationInterval for a Tick
	}{
		{name: "RS256 by Tick", alg: RS256},
		{name: "ES256 by Tick", alg: ES256},
		{name: "EdDSA by Tick", alg: EdDSA},
		{name: "RS256 by Rotate", alg: RS256, forced: true},
		{name: "ES256 by Rotate", alg: ES256, forced: true},
		{name: "EdDSA by Rotate", alg: EdDSA, forced: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			var rotated rotations
			m := e.ensured(t, func(o *Options) {
				o.Algorithms = []string{tt.alg}
				o.Events = &events.Emitter{Sink: &rotated, Now: e.clock.Now}
			})
			tick := func() {
				t.Helper()
				if err := m.Tick(ctx); err != nil {
					t.Fatal(err)
				}
			}
			old := kidOf(t, e.sign(t, m, tt.alg))
			// The audit log's key.rotated: the algorithm's first key is "initial".
			rotated.want(t, testHost+" "+tt.alg+" "+old+" initial")

			// 1. The successor appears: by Rotate (idempotent), or by a Tick once the key is RotationInterval old.
			var next KeyInfo
			if tt.forced {
				e.clock.Advance(time.Hour)
				var err error
				if next, err = m.Rotate(ctx, tt.alg); err != nil {
					t.Fatal(err)
				}
				again, err := m.Rotate(ctx, tt.alg)
				if err != nil || again != next {
					t.Fatalf("second Rotate = %+v, %v; want the same pending key %+v", again, err, next)
				}
			} else {
				e.clock.Advance(DefaultRotationInterval - time.Minute)
				tick()
				if n := len(listed(t, m)); n != 1 {
					t.Fatalf("%d keys before RotationInterval, want 1", n)
				}
				e.clock.Advance(time.Minute)
				tick()
				next = stateOf(t, m, StateNext)
			}
			created := e.clock.Now()
			reason := "scheduled"
			if tt.forced {
				reason = "forced"
			}
			// One line for the successor, at its creation: not one per idempotent Rotate or pending Tick.
			rotated.want(t, testHost+" "+tt.alg+" "+old+" initial", testHost+" "+tt.alg+" "+next.KID+" "+reason+" "+
				created.Format(time.RFC3339))
			if next.State != StateNext || !next.NotBefore.Equal(created.Add(DefaultPublishAhead)) || next.KID == old {
				t.Fatalf("successor %+v: want a new key signing from now + PublishAhead", next)
			}
			tick() // a Tick while the successor is pending changes nothing
			wantKeys(t, m, []string{old, next.KID}, []KeyState{StateSigning, StateNext})

			// 2. Published before it signs: the old key still signs until the successor's NotBefore.
			if got := kids(mustJWKS(t, m)); !slices.Equal(got, []string{old, next.KID}) {
				t.Fatalf("JWKS %v, want the signing key then the next one", got)
			}
			before := e.sign(t, m, tt.alg)
			e.clock.Advance(DefaultPublishAhead - time.Second)
			last := e.sign(t, m, tt.alg)
			if kidOf(t, before) != old || kidOf(t, last) != old {
				t.Fatalf("signed with %s and %s before the successor's NotBefore, want %s", kidOf(t, before), kidOf(t, last), old)
			}

			// 3. At NotBefore the successor signs, even before a Tick records the switch.
			e.clock.Advance(time.Second)
			after := e.sign(t, m, tt.alg)
			if kidOf(t, after) != next.KID {
				t.Fatalf("signed with %s at NotBefore, want the successor %s", kidOf(t, after), next.KID)
			}
			e.clock.Advance(10 * time.Minute) // a late Tick records the retirement at the instant of the switch
			tick()
			retired := wantKeys(t, m, []string{old, next.KID}, []KeyState{StateRetired, StateSigning})[0]
			maxTTL := idTokenTTL + 5*time.Minute
			if !retired.RetireAt.Equal(next.NotBefore) || !retired.ExpiresAt.Equal(next.NotBefore.Add(maxTTL)) {
				t.Errorf("retired key %+v: want RetireAt %v, ExpiresAt + MaxTokenTTL", retired, next.NotBefore)
			}
			for _, rec := range e.stored(t) {
				if rec.ID == old && len(rec.Private) != 0 {
					t.Error("the retired key's private half is still stored")
				}
			}

			// 4. Tokens signed before and after the rotation verify, through Parse and through the JWKS alone.
			e.clock.Set(next.NotBefore.Add(idTokenTTL - 2*time.Second))
			for _, tok := range []string{last, after} {
				if _, err := m.Parse(ctx, tok, &idClaims{}, idTokenOpts()...); err != nil {
					t.Errorf("Parse of a %s token: %v", kidOf(t, tok), err)
				}
				if _, err := jwt.Parse(tok, jwksKeyfunc(t, mustJWKS(t, m)), jwt.WithTimeFunc(e.clock.Now)); err != nil {
					t.Errorf("JWKS verification of a %s token: %v", kidOf(t, tok), err)
				}
			}

			// 5. The retired key stays published until MaxTokenTTL after its retirement, then disappears.
			e.clock.Set(retired.ExpiresAt.Add(-time.Second))
			tick()
			if got := kids(mustJWKS(t, m)); !slices.Equal(got, []string{next.KID, old}) {
				t.Fatalf("JWKS %v just before the retired key expires, want signing then retired", got)
			}
			if _, err := m.Parse(ctx, last, nil, jwt.WithoutClaimsValidation()); err != nil {
				t.Errorf("the retired key no longer verifies before it expires: %v", err)
			}
			e.clock.Advance(time.Second)
			if got := kids(mustJWKS(t, m)); !slices.Equal(got, []string{next.KID}) {
				t.Fatalf("JWKS %v once the retired key expired, want only %s", got, next.KID)
			}
			if _, err := m.Parse(ctx, last, nil, jwt.WithoutClaimsValidation()); !errors.Is(err, jwt.ErrTokenUnverifiable) {
				t.Errorf("Parse with an expired key: %v, want ErrTokenUnverifiable", err)
			}
			tick()
			wantKeys(t, m, []string{next.KID}, []KeyState{StateSigning})
			// Retirements and expiries create no key: no more key.rotated lines.
			if n := len(rotated.lines()); n != 2 {
				t.Errorf("%d key.rotated events in all, want 2: %q", n, rotated.lines())
			}
		})
	}
}

// rotations keeps the key.rotated events it receives as "host alg kid reason[ time]" (the time for all but the
// first, whose instant Ensure chose).
type rotations struct {
	mu  sync.Mutex
	got []string
}

func (r *rotations) Emit(_ context.Context, e *events.Event) {
	if e.Kind != events.KeyRotated {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	l := e.Host + " " + e.Algorithm + " " + e.KeyID + " " + e.Reason
	if len(r.got) > 0 {
		l += " " + e.Time.UTC().Format(time.RFC3339)
	}
	r.got = append(r.got, l)
}

func (r *rotations) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// want fails the test unless the events so far are exactly want.
func (r *rotations) want(t *testing.T, want ...string) {
	t.Helper()
	if got := r.lines(); !slices.Equal(got, want) {
		t.Fatalf("key.rotated events %q, want %q", got, want)
	}
}

func TestRotateRefusesUnknownAlgorithm(t *testing.T) {
	e := newEnv(t)
	m := e.ensured(t, func(o *Options) { o.Algorithms = []string{EdDSA} })
	for _, alg := range []string{RS256, "HS256"} {
		if _, err := m.Rotate(context.Background(), alg); !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("Rotate(%s): %v, want ErrUnknownAlgorithm", alg, err)
		}
	}
}

// A key rotated by another process (the CLI, another instance) is seen within the cache refresh interval, well
// before it signs.
func TestAnotherProcessRotates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	server := e.ensured(t, func(o *Options) { o.Algorithms = []string{ES256} })
	before := kids(mustJWKS(t, server))
	cli := e.ensured(t, func(o *Options) { o.Algorithms = []string{ES256} })
	next, err := cli.Rotate(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(DefaultRefreshInterval)
	if got := kids(mustJWKS(t, server)); !slices.Equal(got, append(before, next.KID)) {
		t.Fatalf("server JWKS %v a refresh later, want %v then %s", got, before, next.KID)
	}
	e.clock.Set(next.NotBefore)
	if got := kidOf(t, e.sign(t, server, ES256)); got != next.KID {
		t.Errorf("server signs with %s at the successor's NotBefore, want %s", got, next.KID)
	}
}

// The keys of an algorithm dropped from Options.Algorithms retire at the next Tick and stay published until the
// tokens they signed have expired.
func TestDroppedAlgorithmRetires(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.ensured(t, nil)
	m := e.ensured(t, func(o *Options) { o.Algorithms = []string{RS256} })
	got := listed(t, m)
	if states := statesOf(got); !slices.Equal(states, []KeyState{StateSigning, StateRetired, StateRetired}) {
		t.Fatalf("states %v (%+v), want RS256 signing, ES256 and EdDSA retired", states, got)
	}
	if _, err := m.Sign(ctx, ES256, jwt.MapClaims{}); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("Sign with a dropped algorithm: %v", err)
	}
	if n := len(mustJWKS(t, m).Keys); n != 3 {
		t.Errorf("%d keys published, want 3 until the retired ones expire", n)
	}
	e.clock.Advance(idTokenTTL + 5*time.Minute)
	if got := mustJWKS(t, m).Keys; len(got) != 1 || got[0].Algorithm != RS256 {
		t.Errorf("JWKS %+v after MaxTokenTTL, want the RS256 key only", got)
	}
}

// Signing and verifying while the clock runs through rotations, with Ticks and cache refreshes racing them.
func TestConcurrentSignDuringRotation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	m := e.ensured(t, func(o *Options) { o.Algorithms = []string{ES256, EdDSA}; o.RotationInterval = time.Hour })
	signAndParse := func() {
		for _, alg := range []string{ES256, EdDSA} {
			tok, err := m.Sign(ctx, alg, newIDClaims(e.clock.Now(), alg))
			if err == nil {
				_, err = m.Parse(ctx, tok, &idClaims{})
			}
			if err != nil {
				t.Error(err)
			}
		}
	}
	for range 200 { // 400 minutes: six rotations of each algorithm
		e.clock.Advance(2 * time.Minute)
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := m.Tick(ctx); err != nil {
				t.Error(err)
			}
		})
		for range 3 {
			wg.Go(signAndParse)
		}
		wg.Wait()
	}
	if n := len(listed(t, m)); n > 6 {
		t.Errorf("%d keys kept, want at most signing + next + retired per algorithm", n)
	}
}

// wantKeys checks the listed kids and states and returns the listed keys.
func wantKeys(t testing.TB, m *Manager, kids []string, states []KeyState) []KeyInfo {
	t.Helper()
	got := listed(t, m)
	var gotKIDs []string
	for _, k := range got {
		gotKIDs = append(gotKIDs, k.KID)
	}
	if !slices.Equal(gotKIDs, kids) || !slices.Equal(statesOf(got), states) {
		t.Fatalf("keys %v in states %v, want %v in %v", gotKIDs, statesOf(got), kids, states)
	}
	return got
}

func statesOf(ks []KeyInfo) []KeyState {
	var out []KeyState
	for _, k := range ks {
		out = append(out, k.State)
	}
	return out
}

func stateOf(t testing.TB, m *Manager, s KeyState) KeyInfo {
	t.Helper()
	for _, k := range listed(t, m) {
		if k.State == s {
			return k
		}
	}
	t.Fatalf("no %s key", s)
	return KeyInfo{}
}
