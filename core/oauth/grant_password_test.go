package oauth

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// pwSecret is the secret of the confidential password client "legacy".
const pwSecret = "legacy-secret"

// TestPasswordGrantRules: who may use the grant (RFC 6749 §4.3) and what it issues: the user's tokens through
// map_roles and scope_policy with flow password, a refresh token under the offline_access rule, never an
// id_token; and every credential failure the same invalid_grant (RFC 6749 §5.2).
func TestPasswordGrantRules(t *testing.T) {
	pw := []string{GrantPassword, GrantRefreshToken}
	tests := []struct {
		name       string
		hostGrants []string
		fullID     bool
		grants     []string // the client's; default password and refresh_token
		public     bool
		untrusted  bool
		kv         []string // username, password, scope; a "" value leaves the parameter out
		wantCode   string
		wantStatus int
		wantScope  string
		refresh    bool
	}{
		{name: "right password", kv: []string{"bob", "correct horse battery", "openid profile user"}, wantScope: "openid profile user"},
		{name: "offline_access gives a refresh token", kv: []string{"bob", "correct horse battery", "openid offline_access"},
			wantScope: "openid offline_access", refresh: true},
		// RFC 6749 §5.1: scope says what was issued, and offline_access is the refresh token that was not.
		{name: "no refresh token without the client's refresh grant", grants: []string{GrantPassword},
			kv: []string{"bob", "correct horse battery", "offline_access"}, wantScope: ""},
		{name: "roles the user lacks are dropped", kv: []string{"bob", "correct horse battery", "user admin api"}, wantScope: "user api"},
		{name: "the username is normalised", kv: []string{"BOB", "correct horse battery", "openid"}, wantScope: "openid"},
		{name: "username_is_full_id: the full id", fullID: true, kv: []string{"bob@example.org", "correct horse battery", "openid"},
			wantScope: "openid"},
		{name: "username_is_full_id: the domain is case-insensitive", fullID: true,
			kv: []string{"bob@Example.ORG", "correct horse battery", "openid"}, wantScope: "openid"},
		{name: "username_is_full_id: a localpart is unknown", fullID: true, kv: []string{"bob", "correct horse battery", "openid"},
			wantCode: CodeInvalidGrant, wantStatus: http.StatusBadRequest},
		{name: "full id without username_is_full_id", kv: []string{"bob@example.org", "correct horse battery", "openid"},
			wantCode: CodeInvalidGrant, wantStatus: http.StatusBadRequest},
		{name: "wrong password", kv: []string{"bob", "wrong", "openid"}, wantCode: CodeInvalidGrant, wantStatus: http.StatusBadRequest},
		{name: "unknown user", kv: []string{"mallory", "correct horse battery", "openid"}, wantCode: CodeInvalidGrant, wantStatus: http.StatusBadRequest},
		{name: "disabled user, right password", kv: []string{"carol", "disabled user password", "openid"}, wantCode: CodeInvalidGrant,
			wantStatus: http.StatusBadRequest},
		{name: "over-long password", kv: []string{"bob", strings.Repeat("x", 1025), "openid"}, wantCode: CodeInvalidGrant,
			wantStatus: http.StatusBadRequest},
		{name: "over-long username", kv: []string{strings.Repeat("b", 1025), "correct horse battery", "openid"}, wantCode: CodeInvalidGrant,
			wantStatus: http.StatusBadRequest},
		{name: "no username", kv: []string{"", "correct horse battery", "openid"}, wantCode: CodeInvalidRequest, wantStatus: http.StatusBadRequest},
		{name: "no password", kv: []string{"bob", "", "openid"}, wantCode: CodeInvalidRequest, wantStatus: http.StatusBadRequest},
		{name: "public client", public: true, kv: []string{"bob", "correct horse battery", "openid"},
			wantCode: CodeUnauthorizedClient, wantStatus: http.StatusBadRequest},
		{name: "untrusted client", untrusted: true, kv: []string{"bob", "correct horse battery", "openid"},
			wantCode: CodeUnauthorizedClient, wantStatus: http.StatusBadRequest},
		{name: "client not registered for the grant", grants: []string{GrantClientCredentials},
			kv: []string{"bob", "correct horse battery", "openid"}, wantCode: CodeUnauthorizedClient, wantStatus: http.StatusBadRequest},
		{name: "host does not serve the grant", hostGrants: []string{GrantAuthorizationCode, GrantRefreshToken},
			kv: []string{"bob", "correct horse battery", "openid"}, wantCode: CodeUnsupportedGrantType, wantStatus: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idTokens := 0
			e := newGrantEnv(t, grantOpts{hostGrants: tt.hostGrants, fullID: tt.fullID,
				oidc: fakeOIDC{idToken: func(*IssuedTokens) (string, error) { idTokens++; return "eyJ.id.token", nil }}})
			grants := tt.grants
			if grants == nil {
				grants = pw
			}
			secret := pwSecret
			if tt.public {
				secret = ""
			}
			cr := e.addClient("legacy", secret, grants, nil, func(c *store.Client) { c.Untrusted = tt.untrusted })
			resp, err := e.token(cr, "grant_type", GrantPassword, "username", tt.kv[0], "password", tt.kv[1], "scope", tt.kv[2])
			if tt.wantCode != "" {
				wantErr(t, err, tt.wantCode, tt.wantStatus)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Scope != tt.wantScope || (resp.RefreshToken != "") != tt.refresh || resp.IDToken != "" || idTokens != 0 {
				t.Fatalf("response %+v (id_token hook called %d times)", resp, idTokens)
			}
			bob := e.user("bob")
			at := e.stored(resp.AccessToken)
			if at.UserID != bob.ID || at.ClientID != "legacy" {
				t.Fatalf("stored %+v", at)
			}
			g, gerr := e.st.Grants().Get(e.ctx, tkHost, at.GrantID)
			if gerr != nil || g.UserID != bob.ID || !g.AuthTime.Equal(e.clock.Now()) {
				t.Fatalf("grant %+v %v", g, gerr)
			}
			mapRoles, in := e.policy.last(t)
			if mapRoles != 1 || in.Flow != policy.FlowPassword || in.User == nil || in.User.Username != "bob" {
				t.Fatalf("map_roles ran %d times; scope_policy saw %+v", mapRoles, in)
			}
			if resp.RefreshToken != "" {
				if _, err := e.refreshWith(cr, resp.RefreshToken); err != nil {
					t.Fatalf("refreshing: %v", err)
				}
			}
		})
	}
}

// refreshWith refreshes with explicit credentials.
func (e *tokenEnv) refreshWith(cr ClientCredentials, rt string) (*TokenResponse, *Error) {
	return e.token(cr, "grant_type", GrantRefreshToken, "refresh_token", rt)
}

// TestPasswordGrantSameFailure: a wrong password, an unknown user and a disabled user are indistinguishable:
// the same code, status and description, and each spends a token of the per-username limiter.
func TestPasswordGrantSameFailure(t *testing.T) {
	e := newGrantEnv(t, grantOpts{})
	cr := e.addClient("legacy", pwSecret, []string{GrantPassword}, nil)
	var first *Error
	for i, c := range [][2]string{{"bob", "wrong"}, {"mallory", "correct horse battery"}, {"carol", "disabled user password"}} {
		_, err := e.tokenFrom(cr, "192.0.2.1", "grant_type", GrantPassword, "username", c[0], "password", c[1])
		wantErr(t, err, CodeInvalidGrant, http.StatusBadRequest)
		if first == nil {
			first = err
		} else if err.Description != first.Description {
			t.Fatalf("%s: %q, the first failure said %q", c[0], err.Description, first.Description)
		}
		if got := e.perIP.Wait("192.0.2.1"); (got > 0) != (i >= 2) {
			t.Fatalf("after %d failures the address waits %v (burst 3)", i+1, got)
		}
		// One more spend empties the name's bucket (burst 2) only if the failure spent one.
		e.perUser.Spend(c[0])
		if e.perUser.Wait(c[0]) == 0 {
			t.Fatalf("%s: the failure did not spend the username's bucket", c[0])
		}
	}
	if got := strings.Count(e.logs.String(), "password grant failed"); got != 3 {
		t.Fatalf("%d failures logged, want 3:\n%s", got, e.logs)
	}
}

// TestPasswordGrantRateLimits: the grant and the login page share the limiters (the same instances): failures
// at either count for both, a limited request is refused before the password is checked (even the right one),
// with 429 temporarily_unavailable and the wait; success spends nothing; buckets refill.
func TestPasswordGrantRateLimits(t *testing.T) {
	e := newGrantEnv(t, grantOpts{})
	cr := e.addClient("legacy", pwSecret, []string{GrantPassword}, nil)
	try := func(ip, user, pw string) (*TokenResponse, *Error) {
		return e.tokenFrom(cr, ip, "grant_type", GrantPassword, "username", user, "password", pw)
	}
	// Successes spend nothing.
	for range 5 {
		if _, err := try("192.0.2.1", "bob", "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	// Per username: two failures (burst 2), one at the login page (which spends the key LimiterKey gives) and
	// one here; then the right password from another address is limited too.
	e.perUser.Spend(e.accounts.LimiterKey("Bob"))
	if _, err := try("192.0.2.1", "bob", "wrong"); err == nil || err.Code != CodeInvalidGrant {
		t.Fatalf("second failure: %v", err)
	}
	_, err := try("198.51.100.7", "BOB", "correct horse battery")
	wantErr(t, err, CodeTemporarilyUnavailable, http.StatusTooManyRequests)
	if err.RetryAfter() <= 0 || err.RetryAfter() > time.Hour {
		t.Fatalf("RetryAfter %v, want up to the hour one token takes", err.RetryAfter())
	}
	// What the login page checks: the grant's failure is in its bucket.
	if e.perUser.Wait(e.accounts.LimiterKey("bob")) == 0 {
		t.Fatal("the login page would not see the grant's failure")
	}
	// Per address: the address has one failure; two more (for other names) empty it (burst 3), then anyone
	// from there is limited, and the failure is not spent again.
	for _, u := range []string{"mallory", "trent"} {
		if _, err := try("192.0.2.1", u, "x"); err == nil || err.Code != CodeInvalidGrant {
			t.Fatalf("%s: %v", u, err)
		}
	}
	_, err = try("192.0.2.1", "carol", "x")
	wantErr(t, err, CodeTemporarilyUnavailable, http.StatusTooManyRequests)
	if e.perUser.Wait("carol") != 0 {
		t.Fatal("a limited attempt spent the username's bucket")
	}
	// Buckets refill: an hour later one attempt is allowed again.
	e.clock.Advance(time.Hour)
	if _, err := try("198.51.100.7", "bob", "correct horse battery"); err != nil {
		t.Fatalf("after the refill: %v", err)
	}
}
