package oauth

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// TestRefreshRules: one case per rule of RFC 6749 §6 and RFC 9700 §4.14.2.
func TestRefreshRules(t *testing.T) {
	tests := []struct {
		name    string
		client  string // presenting client; default web
		token   func(e *tokenEnv, first *TokenResponse) string
		kv      []string
		setup   func(e *tokenEnv, first *TokenResponse)
		code    string
		revoked bool // the chain must end up revoked
	}{
		{name: "valid"},
		{name: "missing refresh_token", token: func(*tokenEnv, *TokenResponse) string { return "" }, code: CodeInvalidRequest},
		{name: "unknown refresh token", token: func(*tokenEnv, *TokenResponse) string { return PrefixRefreshToken + "AAAA" }, code: CodeInvalidGrant},
		{name: "not a refresh token value", token: func(*tokenEnv, *TokenResponse) string { return "hello" }, code: CodeInvalidGrant},
		{name: "access token as refresh token", token: func(_ *tokenEnv, f *TokenResponse) string { return f.AccessToken }, code: CodeInvalidGrant},
		{name: "another client's refresh token", client: "other", code: CodeInvalidGrant, revoked: true},
		{name: "expired", setup: func(e *tokenEnv, _ *TokenResponse) { e.clock.Advance(24 * time.Hour) }, code: CodeInvalidGrant},
		{name: "revoked grant", setup: func(e *tokenEnv, f *TokenResponse) {
			if err := e.st.Grants().Revoke(e.ctx, tkHost, e.stored(f.AccessToken).GrantID); err != nil {
				e.t.Fatal(err)
			}
		}, code: CodeInvalidGrant, revoked: true},
		{name: "disabled user", setup: func(e *tokenEnv, _ *TokenResponse) {
			u := *e.alice
			u.Disabled = true
			if err := e.st.Users().Update(e.ctx, &u, store.UserUpdate{}); err != nil {
				e.t.Fatal(err)
			}
		}, code: CodeInvalidGrant},
		{name: "scope narrowed", kv: []string{"scope", ScopeOpenID}},
		{name: "scope repeated token", kv: []string{"scope", "openid openid"}},
		{name: "scope widened", kv: []string{"scope", "openid profile"}, code: CodeInvalidScope},
		{name: "scope unknown", kv: []string{"scope", "nonsense"}, code: CodeInvalidScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTokenEnv(t)
			first := e.mustExchange("web", ScopeOpenID, ScopeOfflineAccess)
			grantID := e.stored(first.AccessToken).GrantID
			if tt.setup != nil {
				tt.setup(e, first)
			}
			rt := first.RefreshToken
			if tt.token != nil {
				rt = tt.token(e, first)
			}
			client := tt.client
			if client == "" {
				client = "web"
			}
			resp, err := e.refresh(client, rt, tt.kv...)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refresh: %v", err)
				}
				if !e.usable(resp.AccessToken) || !e.usable(resp.RefreshToken) || resp.RefreshToken == rt {
					t.Fatal("refresh did not issue a new usable pair")
				}
			} else {
				wantErr(t, err, tt.code, http.StatusBadRequest)
			}
			g, gerr := e.st.Grants().Get(e.ctx, tkHost, grantID)
			if tt.name == "expired" {
				return // the whole grant has expired with its tokens
			}
			if gerr != nil || g.Revoked != tt.revoked {
				t.Fatalf("grant revoked = %v (%v), want %v", g != nil && g.Revoked, gerr, tt.revoked)
			}
		})
	}
}

// TestRefreshRotation: every use rotates; the old token then counts as reused, which (grace 0) ends the chain,
// including the tokens the rotation issued (RFC 9700 §4.14.2).
func TestRefreshRotation(t *testing.T) {
	e := newTokenEnv(t)
	first := e.mustExchange("web")
	second, err := e.refresh("web", first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if e.usable(first.RefreshToken) {
		t.Fatal("the rotated refresh token is still usable")
	}
	if !e.usable(first.AccessToken) {
		t.Fatal("rotation revoked the previous access token (only reuse ends the chain)")
	}
	third, err := e.refresh("web", second.RefreshToken)
	if err != nil {
		t.Fatalf("second rotation: %v", err)
	}
	_, err = e.refresh("web", first.RefreshToken)
	wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
	for _, v := range []string{first.AccessToken, second.AccessToken, third.AccessToken, third.RefreshToken} {
		if e.usable(v) {
			t.Fatal("a token of the chain survived refresh token reuse")
		}
	}
}

// TestRefreshReuseGrace: within refresh_token_reuse_grace the same client's reuse fails without ending the
// chain; after it, or from another client, the chain ends.
func TestRefreshReuseGrace(t *testing.T) {
	tests := []struct {
		name    string
		after   time.Duration
		client  string
		revoked bool
	}{
		{"same client within the grace", 30 * time.Second, "web", false},
		{"same client at the end of the grace", time.Minute, "web", false},
		{"same client after the grace", time.Minute + time.Second, "web", true},
		{"another client within the grace", time.Second, "other", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTokenEnv(t, func(o *Options) { o.Settings.RefreshReuseGrace = time.Minute })
			first := e.mustExchange("web")
			second, err := e.refresh("web", first.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(tt.after)
			_, err = e.refresh(tt.client, first.RefreshToken)
			wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
			if got := !e.usable(second.AccessToken) && !e.usable(second.RefreshToken); got != tt.revoked {
				t.Fatalf("chain revoked = %v, want %v", got, tt.revoked)
			}
		})
	}
}

// TestRefreshRace: N refreshes of one token at once: exactly one wins. With no grace the losers' reuse ends the
// chain; with a grace they fail and the winner's tokens stay active.
func TestRefreshRace(t *testing.T) {
	for _, grace := range []time.Duration{0, time.Minute} {
		t.Run("grace="+grace.String(), func(t *testing.T) {
			e := newTokenEnv(t, func(o *Options) { o.Settings.RefreshReuseGrace = grace })
			first := e.mustExchange("web")
			const n = 8
			var wg sync.WaitGroup
			results := make([]*TokenResponse, n)
			errs := make([]*Error, n)
			for i := range n {
				wg.Go(func() { results[i], errs[i] = e.refresh("web", first.RefreshToken) })
			}
			wg.Wait()
			var winner *TokenResponse
			for i := range n {
				switch {
				case errs[i] == nil && winner != nil:
					t.Fatal("two refreshes won")
				case errs[i] == nil:
					winner = results[i]
				case errs[i].Code != CodeInvalidGrant:
					t.Fatalf("loser got %v", errs[i])
				}
			}
			if winner == nil {
				t.Fatal("no refresh won")
			}
			alive := e.usable(winner.AccessToken) && e.usable(winner.RefreshToken)
			if alive != (grace > 0) {
				t.Fatalf("winner's tokens alive = %v with grace %v", alive, grace)
			}
		})
	}
}

// TestRefreshScopeNarrowing: a narrower scope applies to the new access token only; the refresh token keeps
// the grant's scope, so a later refresh can ask for all of it again (RFC 6749 §6).
func TestRefreshScopeNarrowing(t *testing.T) {
	e := newTokenEnv(t)
	first := e.mustExchange("web", ScopeOpenID, "profile", ScopeOfflineAccess)
	narrow, err := e.refresh("web", first.RefreshToken, "scope", "profile")
	if err != nil {
		t.Fatal(err)
	}
	if narrow.Scope != "profile" || !slices.Equal(e.stored(narrow.AccessToken).Scopes, []string{"profile"}) {
		t.Fatalf("narrowed access token scope %q", narrow.Scope)
	}
	if got := e.stored(narrow.RefreshToken).Scopes; !slices.Equal(got, []string{ScopeOpenID, "profile", ScopeOfflineAccess}) {
		t.Fatalf("refresh token scope %v", got)
	}
	wide, err := e.refresh("web", narrow.RefreshToken)
	if err != nil || wide.Scope != "openid profile offline_access" {
		t.Fatalf("full scope again: %v %q", err, wide.Scope)
	}
	// A widening attempt fails before anything is consumed: the refresh token still works.
	_, err = e.refresh("web", wide.RefreshToken, "scope", "openid email")
	wantErr(t, err, CodeInvalidScope, http.StatusBadRequest)
	if !e.usable(wide.RefreshToken) {
		t.Fatal("invalid_scope consumed the refresh token")
	}
}

// TestRefreshDropsLostRoles: role scopes leave the chain once the user loses the role; xmpp stays while the user
// has any role.
func TestRefreshDropsLostRoles(t *testing.T) {
	e := newTokenEnv(t)
	first := e.mustExchange("web", ScopeOpenID, "admin", ScopeXMPP, ScopeOfflineAccess)
	if first.Scope != "openid admin xmpp offline_access" {
		t.Fatalf("scope %q", first.Scope)
	}
	setRoles := func(roles ...string) {
		u, err := e.st.Users().Get(e.ctx, tkHost, e.alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		u.Roles = roles
		if err := e.st.Users().Update(e.ctx, u, store.UserUpdate{}); err != nil {
			t.Fatal(err)
		}
	}
	setRoles("user")
	second, err := e.refresh("web", first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if second.Scope != "openid xmpp offline_access" || !slices.Equal(e.stored(second.RefreshToken).Scopes, []string{ScopeOpenID, ScopeXMPP, ScopeOfflineAccess}) {
		t.Fatalf("after losing admin: %q / %v", second.Scope, e.stored(second.RefreshToken).Scopes)
	}
	// The lost role left the refresh token's scope, so asking for it back exceeds it.
	_, err = e.refresh("web", second.RefreshToken, "scope", "admin xmpp")
	wantErr(t, err, CodeInvalidScope, http.StatusBadRequest)
	third, err := e.refresh("web", second.RefreshToken, "scope", "xmpp")
	if err != nil {
		t.Fatalf("narrowing: %v", err)
	}
	if third.Scope != "xmpp" {
		t.Fatalf("narrowed scope %q", third.Scope)
	}
	setRoles()
	fourth, err := e.refresh("web", third.RefreshToken)
	if err != nil || fourth.Scope != "openid offline_access" {
		t.Fatalf("after losing every role: %v %q", err, fourth.Scope)
	}
}
