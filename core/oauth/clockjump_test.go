package oauth

import (
	"net/http"
	"testing"
	"time"
)

// The clock rule (docs/architecture.md §3, "Clocks"): expiry is checked against the clock as it reads now, so a
// clock set back makes an expired record look live again (a backward clock is an operator fault, and the only
// witness there is); but what was consumed, rotated or revoked stays so whatever the clock does.

// TestRefreshAcrossClockJumps: refresh tokens (TTL 24 h in tokenEnv) across clock jumps.
func TestRefreshAcrossClockJumps(t *testing.T) {
	const ttl = 24 * time.Hour
	tests := []struct {
		name  string
		grace time.Duration
		// run moves the clock and presents tokens; it returns the error of the last refresh (nil: success).
		run         func(e *tokenEnv, first *TokenResponse) *Error
		wantCode    string // "" for success
		wantRevoked bool   // the chain of first is ended
		skipChain   bool   // the clock ends where first's access token has expired anyway
	}{
		{name: "forward within the TTL keeps it valid", skipChain: true, run: func(e *tokenEnv, first *TokenResponse) *Error {
			e.clock.Advance(ttl - time.Second)
			_, err := e.refresh("web", first.RefreshToken)
			return err
		}},
		{name: "forward past the TTL expires it", wantCode: CodeInvalidGrant, skipChain: true,
			run: func(e *tokenEnv, first *TokenResponse) *Error {
				e.clock.Advance(2 * ttl)
				_, err := e.refresh("web", first.RefreshToken)
				return err
			}},
		{name: "expired, then back: checked against the clock now", run: func(e *tokenEnv, first *TokenResponse) *Error {
			e.clock.Advance(2 * ttl)
			if _, err := e.refresh("web", first.RefreshToken); err == nil {
				e.t.Fatal("an expired refresh token was accepted")
			}
			e.clock.Advance(-2 * ttl)
			_, err := e.refresh("web", first.RefreshToken)
			return err
		}},
		{name: "rotated, then back before the rotation: still used", wantCode: CodeInvalidGrant, wantRevoked: true,
			run: func(e *tokenEnv, first *TokenResponse) *Error {
				e.clock.Advance(time.Hour)
				if _, err := e.refresh("web", first.RefreshToken); err != nil {
					e.t.Fatal(err)
				}
				e.clock.Advance(-2 * time.Hour)
				_, err := e.refresh("web", first.RefreshToken)
				return err
			}},
		{name: "rotated, then back: a clock behind the rotation is not within the grace", grace: time.Minute,
			wantCode: CodeInvalidGrant, wantRevoked: true,
			run: func(e *tokenEnv, first *TokenResponse) *Error {
				e.clock.Advance(time.Hour)
				if _, err := e.refresh("web", first.RefreshToken); err != nil {
					e.t.Fatal(err)
				}
				e.clock.Advance(-time.Hour)
				_, err := e.refresh("web", first.RefreshToken)
				return err
			}},
		{name: "revoked, then back: still revoked", wantCode: CodeInvalidGrant, wantRevoked: true,
			run: func(e *tokenEnv, first *TokenResponse) *Error {
				e.clock.Advance(time.Hour)
				if err := e.p.Revoke(e.ctx, &RevocationRequest{Params: params("token", first.RefreshToken),
					Client: e.creds("web")}); err != nil {
					e.t.Fatal(err)
				}
				e.clock.Advance(-2 * time.Hour)
				_, err := e.refresh("web", first.RefreshToken)
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTokenEnv(t, func(o *Options) { o.Settings.RefreshReuseGrace = tt.grace })
			first := e.mustExchange("web")
			err := tt.run(e, first)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("refresh: %v, want success", err)
				}
			} else {
				wantErr(t, err, tt.wantCode, http.StatusBadRequest)
			}
			if revoked := !e.usable(first.AccessToken); !tt.skipChain && revoked != tt.wantRevoked {
				t.Errorf("chain ended = %v, want %v", revoked, tt.wantRevoked)
			}
		})
	}
}

// TestDevicePollingAcrossClockJumps: a clock set back does not let a device poll faster than its interval, and
// a clock jumping past the code's lifetime answers expired_token.
func TestDevicePollingAcrossClockJumps(t *testing.T) {
	tests := []struct {
		name  string
		moves []time.Duration // clock moves, each followed by a poll
		want  []string        // the error code of each poll
	}{
		{name: "paced", moves: []time.Duration{0, 5 * time.Second, 5 * time.Second},
			want: []string{CodeAuthorizationPending, CodeAuthorizationPending, CodeAuthorizationPending}},
		{name: "back: the poll after the jump is early, and pacing resumes from it",
			moves: []time.Duration{0, -time.Hour, time.Second, 15 * time.Second},
			want:  []string{CodeAuthorizationPending, CodeSlowDown, CodeSlowDown, CodeAuthorizationPending}},
		{name: "back a second at a time: every poll is slow_down",
			moves: []time.Duration{0, -time.Second, -time.Second, -time.Second},
			want:  []string{CodeAuthorizationPending, CodeSlowDown, CodeSlowDown, CodeSlowDown}},
		{name: "forward past the lifetime: expired_token", moves: []time.Duration{0, 11 * time.Minute},
			want: []string{CodeAuthorizationPending, CodeExpiredToken}},
		{name: "forward within the lifetime: one poll looks late, the next is paced again",
			moves: []time.Duration{0, 5 * time.Minute, time.Second},
			want:  []string{CodeAuthorizationPending, CodeAuthorizationPending, CodeSlowDown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTokenEnv(t, withDevice)
			resp := e.startDevice("tv")
			for i, d := range tt.moves {
				e.clock.Advance(d)
				_, err := e.poll("tv", resp.DeviceCode)
				if err == nil || err.Code != tt.want[i] {
					t.Fatalf("poll %d (clock moved %v): %v, want %s", i, d, err, tt.want[i])
				}
			}
		})
	}
}
