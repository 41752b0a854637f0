package adminapi

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/ratelimit"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t, envOptions{})
	expiring := e.token("short", admin.ScopeWrite, "1h")
	revoked := e.token("gone", admin.ScopeWrite, "")
	e.do(admin.OpAdminTokenRevoke, admin.AdminTokenArgs{Name: "gone"}, nil)
	e.clock.Advance(time.Hour)

	tests := []struct {
		name       string
		header     string
		wantStatus int
		wantChall  string // WWW-Authenticate
	}{
		{"no header", "", http.StatusUnauthorized, `Bearer realm="assentry-admin"`},
		{"another scheme", "Basic b3BzOnB3", http.StatusUnauthorized, `Bearer realm="assentry-admin"`},
		{"unknown token", "Bearer asa_" + strings.Repeat("A", 43), http.StatusUnauthorized, `Bearer realm="assentry-admin", error="invalid_token"`},
		{"not an admin token", "Bearer at_" + strings.Repeat("A", 43), http.StatusUnauthorized, `Bearer realm="assentry-admin", error="invalid_token"`},
		{"expired token", "Bearer " + expiring, http.StatusUnauthorized, `Bearer realm="assentry-admin", error="invalid_token"`},
		{"revoked token", "Bearer " + revoked, http.StatusUnauthorized, `Bearer realm="assentry-admin", error="invalid_token"`},
		{"write token", "Bearer " + e.write, http.StatusOK, ""},
		{"read token", "Bearer " + e.read, http.StatusOK, ""},
		{"scheme in lower case", "bearer " + e.read, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/hosts/main/users", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			res, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.wantStatus || res.Header.Get("WWW-Authenticate") != tt.wantChall {
				t.Fatalf("status %d, WWW-Authenticate %q; want %d, %q; body %s", res.StatusCode,
					res.Header.Get("WWW-Authenticate"), tt.wantStatus, tt.wantChall, body)
			}
			if tt.wantStatus == http.StatusUnauthorized && !strings.Contains(string(body), `"error":"invalid_token"`) {
				t.Fatalf("401 body: %s", body)
			}
			if res.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control %q", res.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestScopes(t *testing.T) {
	e := newEnv(t, envOptions{})
	// Every route that changes something refuses a read token, before touching anything.
	for _, rt := range append(routes, backupRoute) {
		if rt.Scope != admin.ScopeWrite {
			continue
		}
		path := strings.NewReplacer("{host}", "main", "{username}", "alice", "{client_id}", "app", "{grant_id}", "g1").Replace(rt.Pattern)
		a := e.call(rt.Method, path, e.read, "{}")
		if a.status != http.StatusForbidden || a.errorCode() != "insufficient_scope" ||
			!strings.Contains(a.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
			t.Errorf("%s %s with a read token: %d %s", rt.Method, path, a.status, a.body)
		}
	}
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/users", e.read, map[string]any{"username": "alice", "password": "correct horse battery"}),
		http.StatusForbidden, "read token creating a user")
	var users []admin.UserView
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users", e.read, nil), http.StatusOK, "list").json(t, &users)
	if len(users) != 0 {
		t.Fatalf("a refused request created a user: %+v", users)
	}
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/users", e.write, map[string]any{"username": "alice", "password": "correct horse battery"}),
		http.StatusCreated, "write token creating a user")
}

func TestLastUsedAndActor(t *testing.T) {
	var actor string
	e := newEnv(t, envOptions{backup: func(ctx context.Context, w io.Writer) error {
		actor = events.Actor(ctx)
		_, err := io.WriteString(w, "backup")
		return err
	}})
	e.expect(e.call(http.MethodGet, "/v1/backup", e.write, nil), http.StatusOK, "backup")
	if actor != "token:ops" {
		t.Fatalf("actor %q, want token:ops", actor)
	}
	var list []admin.AdminTokenView
	e.do(admin.OpAdminTokenList, struct{}{}, &list)
	for _, v := range list {
		if v.Name == "ops" && !v.LastUsedAt.Equal(e.clock.Now()) {
			t.Fatalf("last use of ops %v, want %v", v.LastUsedAt, e.clock.Now())
		}
		if v.Name == "monitor" && !v.LastUsedAt.IsZero() {
			t.Fatalf("monitor was never used: %v", v.LastUsedAt)
		}
	}
}

func TestFailedAuthenticationsLimited(t *testing.T) {
	limiter := ratelimit.New(3, time.Minute, nil)
	e := newEnv(t, envOptions{opts: func(o *Options) { o.AuthFailures = limiter }})
	bad := "asa_" + strings.Repeat("B", 43)
	for i := range 3 {
		e.expect(e.call(http.MethodGet, "/v1/hosts", bad, nil), http.StatusUnauthorized, "failure "+string(rune('1'+i)))
	}
	a := e.expect(e.call(http.MethodGet, "/v1/hosts", bad, nil), http.StatusTooManyRequests, "after three failures")
	if a.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// The address is limited as a whole, so a guesser cannot slip a good token between bad ones.
	e.expect(e.call(http.MethodGet, "/v1/hosts", e.read, nil), http.StatusTooManyRequests, "a good token from the limited address")
}
