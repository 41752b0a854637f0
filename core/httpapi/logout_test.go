package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLogout(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	b := e.browser()
	b.login("alice", "correct horse battery")
	cookie := b.cookie("assentry_session").Value

	p := b.get("/logout")
	if p.status != http.StatusOK || !strings.Contains(p.body, `action="/logout"`) {
		t.Fatalf("GET /logout: %d\n%s", p.status, p.body)
	}
	// GET never signs out.
	if _, _, err := e.host.Sessions.Lookup(t.Context(), cookie); err != nil {
		t.Fatal("GET /logout ended the session")
	}
	if p := b.post("/logout", url.Values{"csrf_token": {"forged"}}); p.status != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d", p.status)
	}
	p = b.post("/logout", url.Values{"csrf_token": {p.csrf(t)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/logout" {
		t.Fatalf("POST /logout: %d", p.status)
	}
	if _, _, err := e.host.Sessions.Lookup(t.Context(), cookie); err == nil {
		t.Fatal("session still live after logout")
	}
	if b.cookie("assentry_session") != nil {
		t.Fatal("session cookie not cleared")
	}
	if p := b.get("/logout"); !strings.Contains(strings.ToLower(p.body), "signed out") {
		t.Fatalf("after logout the page does not say so:\n%s", p.body)
	}
}

func TestSessionExpiry(t *testing.T) {
	now := time.Now()
	e := newEnv(t, withSessionTTL(time.Minute), withClock(func() time.Time { return now }))
	u := e.addUser("alice", "correct horse battery")
	cookie, _, err := e.host.Sessions.Start(t.Context(), u.ID, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := e.host.Sessions.Lookup(t.Context(), cookie)
	if err != nil || !s.ExpiresAt.Equal(now.UTC().Add(time.Minute)) {
		t.Fatalf("session %+v, %v", s, err)
	}
}
