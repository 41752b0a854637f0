package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAccountForms: the account page needs a session (a signed-out visit goes to the login page and, once
// signed in, comes back), its forms are refused without the CSRF field, and its action paths take POST only.
func TestAccountForms(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	b := e.browser()
	if p := b.get("/account"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login?next=account" {
		t.Fatalf("signed out: %d %q", p.status, p.header.Get("Location"))
	}
	login := b.get("/login?next=account")
	if !strings.Contains(login.body, `action="/login?next=account"`) {
		t.Fatalf("the login form does not return to the account page:\n%s", login.body)
	}
	p := b.post("/login?next=account", url.Values{"username": {"alice"}, "password": {"correct horse battery"},
		"csrf_token": {login.csrf(t)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/account" {
		t.Fatalf("login with next: %d %q", p.status, p.header.Get("Location"))
	}
	page := b.get("/account")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Your account") {
		t.Fatalf("account page: %d\n%s", page.status, page.body)
	}
	for _, path := range []string{"/account/revoke", "/account/sessions", "/account/password"} {
		if p := b.post(path, url.Values{"client_id": {"x"}}); p.status != http.StatusForbidden {
			t.Errorf("POST %s without the CSRF field: %d, want 403", path, p.status)
		}
		if p := b.get(path); p.status != http.StatusMethodNotAllowed || p.header.Get("Allow") != "POST" {
			t.Errorf("GET %s: %d, Allow %q", path, p.status, p.header.Get("Allow"))
		}
	}
	p = b.post("/account/sessions", url.Values{"csrf_token": {page.csrf(t)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/account?done=signed_out&n=0" {
		t.Errorf("sign out elsewhere with the CSRF field: %d %q", p.status, p.header.Get("Location"))
	}
	// Signed in already: the login page with next goes straight back.
	if p := b.get("/login?next=account"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/account" {
		t.Errorf("login page with next while signed in: %d %q", p.status, p.header.Get("Location"))
	}
}

// TestAccountPasswordTooLong: a new password over the most a login accepts (1024 bytes) is refused with the
// password policy's too-long message, which states the maximum as the CLI does, not as a missing field.
func TestAccountPasswordTooLong(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	b := e.browser()
	login := b.get("/login?next=account")
	b.post("/login?next=account", url.Values{"username": {"alice"}, "password": {"correct horse battery"},
		"csrf_token": {login.csrf(t)}})
	page := b.get("/account")
	for _, n := range []int{1025, 4000} {
		long := strings.Repeat("x7Q!", n/4+1)[:n]
		p := b.post("/account/password", url.Values{"current_password": {"correct horse battery"}, "new_password": {long},
			"confirm_password": {long}, "csrf_token": {page.csrf(t)}})
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Choose a shorter password: it may have at most 1024 characters.") ||
			strings.Contains(p.body, "Enter your current password and the new one twice.") {
			t.Fatalf("a new password of %d bytes: %d\n%s", n, p.status, p.body)
		}
	}
}
