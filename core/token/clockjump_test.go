package token

import (
	"context"
	"testing"
	"time"
)

// step is one move of a clock-jump scenario: real time passing (the clock moves with it), or the clock jumping
// (no real time passes).
type step struct {
	real time.Duration // real time passing; the clock advances by as much
	jump time.Duration // the clock jumping forward (+) or back (-)
	// restart replaces the Manager by a new one on the same store, as a restarted server does.
	restart bool
}

// TestKeysAcrossClockJumps: whatever the clock does, a key signs only once relying parties have had the
// publication lead to fetch it from the JWKS (in real time, which is what their caches count), signing never
// stops, and a restart during a jump starts. The first key of a host is the exception: it signs at once, since
// no relying party can hold a token before it. The real-time guard lives in the process: a server restarted after
// a forward jump past a pending key's NotBefore trusts the clock (docs/architecture.md §3, "Clocks").
func TestKeysAcrossClockJumps(t *testing.T) {
	const ahead = DefaultPublishAhead
	rot := DefaultRotationInterval
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "forward past the rotation time", steps: []step{
			{jump: rot + time.Hour}, {real: time.Minute}, {real: ahead}, {real: time.Minute}}},
		{name: "forward while a successor is pending", steps: []step{
			{real: rot}, {real: time.Minute}, {jump: time.Hour}, {real: time.Minute}, {real: ahead}}},
		{name: "back after the successor took over", steps: []step{
			{real: rot}, {real: ahead}, {real: time.Minute}, {jump: -5 * time.Minute}, {real: time.Minute},
			{real: 10 * time.Minute}, {real: ahead}}},
		{name: "back before every key's NotBefore", steps: []step{
			{real: time.Hour}, {jump: -2 * time.Hour}, {real: time.Minute}, {real: ahead}, {real: 2 * time.Hour}}},
		{name: "ahead while a rotation falls due, then corrected", steps: []step{
			{real: rot - 2*time.Minute}, {jump: time.Hour}, {real: time.Minute}, {jump: -time.Hour},
			{real: ahead}, {real: time.Hour}}},
		{name: "restart during a back jump after a takeover", steps: []step{
			{real: rot}, {real: ahead}, {real: time.Minute}, {jump: -5 * time.Minute}, {restart: true},
			{real: time.Minute}, {real: 10 * time.Minute}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			var real time.Duration // real time since the start, unaffected by jumps
			edit := func(o *Options) {
				o.Algorithms = []string{ES256}
				o.Elapsed = func() time.Duration { return real }
			}
			m := e.ensured(t, edit)
			first := kidOf(t, e.sign(t, m, ES256))
			seen := map[string]time.Duration{} // kid → the real time it was first in the JWKS
			for _, k := range mustJWKS(t, m).Keys {
				seen[k.KeyID] = real
			}
			for i, s := range tt.steps {
				real += s.real
				e.clock.Advance(s.real + s.jump)
				if s.restart {
					m2 := e.manager(t, edit)
					if err := m2.Ensure(ctx); err != nil {
						t.Fatalf("step %d: restart: Ensure: %v", i, err)
					}
					m = m2
				}
				// A check every minute of real time: Tick, what the JWKS shows, what signs.
				if err := m.Tick(ctx); err != nil {
					t.Fatalf("step %d: Tick: %v", i, err)
				}
				for _, k := range mustJWKS(t, m).Keys {
					if _, ok := seen[k.KeyID]; !ok {
						seen[k.KeyID] = real
					}
				}
				tok, err := m.Sign(ctx, ES256, newIDClaims(e.clock.Now(), ES256))
				if err != nil {
					t.Fatalf("step %d (clock %v): Sign: %v", i, e.clock.Now(), err)
				}
				kid := kidOf(t, tok)
				pub, ok := seen[kid]
				switch {
				case !ok:
					t.Errorf("step %d: signed with %s, which is not in the JWKS", i, kid)
				case kid != first && real-pub < ahead:
					t.Errorf("step %d: signed with %s after %v in the JWKS (real time), want at least %v",
						i, kid, real-pub, ahead)
				}
				if _, err := m.Parse(ctx, tok, &idClaims{}, idTokenOpts()...); err != nil {
					t.Errorf("step %d: a token just signed does not verify: %v", i, err)
				}
			}
		})
	}
}
