package oauthbearer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAS is an introspection endpoint with a table of answers, which counts its requests and checks the
// resource server's credentials.
type fakeAS struct {
	mu      sync.Mutex
	answers map[string]map[string]any // token -> answer; absent: inactive
	status  int                       // non-zero: answer this status instead
	calls   int
}

func (f *fakeAS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	id, secret, ok := r.BasicAuth()
	if !ok || id != "imap%2Bserver" || secret != "s%3Dcret" || r.Method != http.MethodPost ||
		r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	if f.status != 0 {
		http.Error(w, "down", f.status)
		return
	}
	a, ok := f.answers[r.PostFormValue("token")]
	if !ok || r.PostFormValue("token_type_hint") != "access_token" {
		a = map[string]any{"active": false}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(a)
}

func (f *fakeAS) set(token string, answer map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if answer == nil {
		delete(f.answers, token)
	} else {
		f.answers[token] = answer
	}
}

func (f *fakeAS) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func activeAnswer(exp time.Time) map[string]any {
	return map[string]any{"active": true, "scope": "mail openid", "client_id": "mail-app", "username": "alice",
		"token_type": "Bearer", "exp": exp.Unix(), "iat": t0.Unix(), "sub": "0f3a", "aud": "mail-app",
		"iss": "https://auth.example.net", "jti": "d1g3st"}
}

func newTestIntrospector(t testing.TB, cfg IntrospectionConfig) (*Introspector, *fakeAS, *clock) {
	t.Helper()
	as := &fakeAS{answers: map[string]map[string]any{}}
	srv := httptest.NewServer(as)
	t.Cleanup(srv.Close)
	c := &clock{t: t0}
	cfg.Endpoint, cfg.ClientID, cfg.ClientSecret, cfg.Now = srv.URL, "imap+server", "s=cret", c.Now
	in, err := NewIntrospector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return in, as, c
}

func TestIntrospectorAnswers(t *testing.T) {
	tests := []struct {
		name   string
		answer map[string]any
		reason string // "": active
	}{
		{"active", activeAnswer(t0.Add(time.Hour)), ""},
		{"inactive", map[string]any{"active": false}, "inactive"},
		{"refresh token (no token_type)", func() map[string]any { a := activeAnswer(t0.Add(time.Hour)); delete(a, "token_type"); return a }(), "not an access token"},
		{"expired", activeAnswer(t0), "expired"},
		{"other issuer", func() map[string]any {
			a := activeAnswer(t0.Add(time.Hour))
			a["iss"] = "https://evil.example"
			return a
		}(), "issuer"},
		{"no sub", func() map[string]any { a := activeAnswer(t0.Add(time.Hour)); delete(a, "sub"); return a }(), "no sub"},
		{"DPoP-bound (token_type DPoP)", func() map[string]any {
			a := activeAnswer(t0.Add(time.Hour))
			a["token_type"], a["cnf"] = "DPoP", map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}
			return a
		}(), "not Bearer"},
		{"cnf with token_type Bearer", func() map[string]any {
			a := activeAnswer(t0.Add(time.Hour))
			a["cnf"] = map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}
			return a
		}(), "bound to a key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, as, _ := newTestIntrospector(t, IntrospectionConfig{Issuer: "https://auth.example.net"})
			as.set("at_1", tt.answer)
			tok, err := in.Verify(context.Background(), "at_1")
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				want := Token{Subject: "0f3a", Username: "alice", ClientID: "mail-app", Scopes: []string{"mail", "openid"},
					Audience: []string{"mail-app"}, Issuer: "https://auth.example.net", ID: "d1g3st",
					IssuedAt: t0, Expiry: t0.Add(time.Hour)}
				if fmt.Sprint(*tok) != fmt.Sprint(want) {
					t.Errorf("got %+v\nwant %+v", *tok, want)
				}
				return
			}
			var te *TokenError
			if !errors.As(err, &te) || !strings.Contains(te.Reason, tt.reason) {
				t.Fatalf("got %v, want a TokenError saying %q", err, tt.reason)
			}
		})
	}
}

func TestIntrospectorClientToken(t *testing.T) {
	in, as, _ := newTestIntrospector(t, IntrospectionConfig{})
	a := activeAnswer(t0.Add(time.Hour))
	delete(a, "username")
	a["sub"], a["sub_type"], a["aud"] = "reporting", "client", []string{"reporting", "x"}
	as.set("at_c", a)
	tok, err := in.Verify(context.Background(), "at_c")
	if err != nil || !tok.ForClient || tok.Subject != "reporting" || len(tok.Audience) != 2 {
		t.Fatalf("%+v %v", tok, err)
	}
}

// TestIntrospectorCache: an active answer is reused until CacheTTL, and a revocation is seen only after that
// (the documented delay); an inactive one for NegativeTTL; a token expiring sooner than CacheTTL is not
// accepted from the cache past its exp.
func TestIntrospectorCache(t *testing.T) {
	ctx := context.Background()
	in, as, c := newTestIntrospector(t, IntrospectionConfig{CacheTTL: time.Minute, NegativeTTL: 5 * time.Second})
	as.set("at_1", activeAnswer(t0.Add(time.Hour)))
	for i := 0; i < 3; i++ {
		if _, err := in.Verify(ctx, "at_1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := as.count(); n != 1 {
		t.Fatalf("%d introspection requests for three authentications within CacheTTL, want 1", n)
	}

	as.set("at_1", nil) // revoked at the authorization server
	c.Add(59 * time.Second)
	if _, err := in.Verify(ctx, "at_1"); err != nil {
		t.Fatalf("within CacheTTL the cached answer holds (the revocation delay): %v", err)
	}
	c.Add(time.Second)
	if _, err := in.Verify(ctx, "at_1"); err == nil {
		t.Fatal("a revoked token accepted after CacheTTL")
	}
	if n := as.count(); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}

	// Negative answers: kept 5 s, then asked again.
	in.Verify(ctx, "at_1")
	c.Add(4 * time.Second)
	in.Verify(ctx, "at_1")
	if n := as.count(); n != 2 {
		t.Fatalf("the inactive answer was not cached: %d requests", n)
	}
	c.Add(time.Second)
	in.Verify(ctx, "at_1")
	if n := as.count(); n != 3 {
		t.Fatalf("the inactive answer was cached past NegativeTTL: %d requests", n)
	}

	// A token expiring in 10 s is kept 10 s, not a minute.
	as.set("at_2", activeAnswer(c.Now().Add(10*time.Second)))
	if _, err := in.Verify(ctx, "at_2"); err != nil {
		t.Fatal(err)
	}
	c.Add(10 * time.Second)
	var te *TokenError
	if _, err := in.Verify(ctx, "at_2"); !errors.As(err, &te) || !strings.Contains(te.Reason, "expired") {
		t.Fatalf("an expired token from the cache: %v", err)
	}
}

// TestIntrospectorCacheBound: the cache keeps at most CacheSize answers, dropping the least recently used.
func TestIntrospectorCacheBound(t *testing.T) {
	ctx := context.Background()
	in, as, _ := newTestIntrospector(t, IntrospectionConfig{CacheSize: 2})
	for _, tok := range []string{"a", "b", "c"} {
		as.set(tok, activeAnswer(t0.Add(time.Hour)))
	}
	in.Verify(ctx, "a")
	in.Verify(ctx, "b")
	in.Verify(ctx, "a") // a is now the most recent
	in.Verify(ctx, "c") // evicts b
	if n := in.cache.len(); n != 2 {
		t.Fatalf("cache holds %d entries, bound 2", n)
	}
	before := as.count()
	in.Verify(ctx, "a")
	if as.count() != before {
		t.Error("the most recently used entry was evicted")
	}
	in.Verify(ctx, "b")
	if as.count() != before+1 {
		t.Error("the least recently used entry was not evicted")
	}
}

// TestIntrospectorErrors: the server's failures are errors, not invalid tokens, and are not cached; no cache
// at all with a negative CacheSize.
func TestIntrospectorErrors(t *testing.T) {
	ctx := context.Background()
	in, as, _ := newTestIntrospector(t, IntrospectionConfig{})
	as.set("at_1", activeAnswer(t0.Add(time.Hour)))
	as.status = http.StatusServiceUnavailable
	var te *TokenError
	if _, err := in.Verify(ctx, "at_1"); err == nil || errors.As(err, &te) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("got %v, want the 503 as an error", err)
	}
	as.status = 0
	if _, err := in.Verify(ctx, "at_1"); err != nil {
		t.Fatalf("the error was cached: %v", err)
	}

	bad, _, _ := newTestIntrospector(t, IntrospectionConfig{})
	bad.cfg.ClientSecret = "wrong"
	if _, err := bad.Verify(ctx, "at_1"); err == nil || errors.As(err, &te) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong credentials: %v", err)
	}

	nocache, as2, _ := newTestIntrospector(t, IntrospectionConfig{CacheSize: -1})
	as2.set("at_1", activeAnswer(t0.Add(time.Hour)))
	nocache.Verify(ctx, "at_1")
	nocache.Verify(ctx, "at_1")
	if as2.count() != 2 || nocache.cache != nil {
		t.Errorf("CacheSize -1 still caches: %d requests", as2.count())
	}
}

func TestNewIntrospectorValidates(t *testing.T) {
	_, err := NewIntrospector(IntrospectionConfig{Endpoint: "ftp://x", CacheTTL: -1})
	for _, want := range []string{"Endpoint", "ClientID", "ClientSecret", "CacheTTL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

// TestAuthenticatorAudienceRule: with an Introspector, an Authenticator without Audiences is refused (Validate,
// and every Authenticate), so that another client's token cannot sign in by omission; AllowAnyAudience says so
// explicitly; with Audiences, a token of another client's audience is invalid_token.
func TestAuthenticatorAudienceRule(t *testing.T) {
	in, as, _ := newTestIntrospector(t, IntrospectionConfig{Issuer: "https://auth.example.net"})
	chat := activeAnswer(t0.Add(time.Hour))
	chat["client_id"], chat["aud"] = "chat-app", "chat-app"
	as.set("at_chat", chat)
	tests := []struct {
		name string
		auth Authenticator
		want string // "": signs in; "config": a configuration error; else the Failure's status
	}{
		{"no audience rule", Authenticator{Verifier: in}, "config"},
		{"another audience", Authenticator{Verifier: in, Audiences: []string{"mail-app"}}, StatusInvalidToken},
		{"its audience", Authenticator{Verifier: in, Audiences: []string{"chat-app"}}, ""},
		{"any audience, explicitly", Authenticator{Verifier: in, AllowAnyAudience: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := tt.auth.Authenticate(context.Background(), &InitialResponse{Token: "at_chat"})
			var f *Failure
			switch {
			case tt.want == "":
				if err != nil || id.Authzid != "alice" {
					t.Fatalf("got %+v %v, want alice signed in", id, err)
				}
			case tt.want == "config":
				if err == nil || errors.As(err, &f) || !strings.Contains(err.Error(), "needs Audiences") ||
					tt.auth.Validate() == nil {
					t.Fatalf("got %+v %v, want the configuration error", id, err)
				}
			case !errors.As(err, &f) || f.Status != tt.want:
				t.Fatalf("got %+v %v, want a failure %s", id, err, tt.want)
			}
		})
	}
}
