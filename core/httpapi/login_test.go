package httpapi

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
)

func TestLoginPageAndHeaders(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	p := b.get("/login?login_hint=alice")
	if p.status != http.StatusOK {
		t.Fatalf("GET /login = %d", p.status)
	}
	wantHeaders := map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "no-store",
		"Content-Type":            "text/html; charset=utf-8",
	}
	for k, v := range wantHeaders {
		if got := p.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if p.header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-ID")
	}
	for _, want := range []string{`name="username"`, `name="password"`, `value="alice"`, "Test Site"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	ck := b.cookie("assentry_csrf")
	if ck == nil || ck.Value != p.csrf(t) {
		t.Fatalf("CSRF cookie %v does not match the form", ck)
	}
	raw := p.header.Get("Set-Cookie")
	if !strings.Contains(raw, "HttpOnly") || !strings.Contains(strings.ToLower(raw), "samesite=lax") {
		t.Errorf("CSRF cookie attributes: %s", raw)
	}
}

func TestLoginFlow(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	b := e.browser()

	if p := b.login("alice", "wrong"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "not correct") {
		t.Fatalf("wrong password: %d\n%s", p.status, p.body)
	}
	if p := b.login("nobody", "wrong"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "not correct") {
		t.Fatalf("unknown user must look like a wrong password: %d", p.status)
	}
	p := b.login("Alice", "correct horse battery")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("login: %d %s", p.status, p.header.Get("Location"))
	}
	raw := p.header.Values("Set-Cookie")
	var sess string
	for _, c := range raw {
		if strings.HasPrefix(c, "assentry_session=") {
			sess = c
		}
	}
	if sess == "" || !strings.Contains(sess, "HttpOnly") || !strings.Contains(strings.ToLower(sess), "samesite=lax") || !strings.Contains(strings.ToLower(sess), "max-age=86400") {
		t.Fatalf("session cookie: %q", sess)
	}
	first := b.cookie("assentry_session").Value
	if len(first) != 43 {
		t.Fatalf("session cookie is not a 256-bit value: %q", first)
	}
	if p := b.get("/login"); p.status != http.StatusOK || !strings.Contains(p.body, "alice") || strings.Contains(p.body, `name="password"`) {
		t.Fatalf("signed-in page: %d\n%s", p.status, p.body)
	}

	// Logging in again rotates the session id and ends the old one.
	b.login("alice", "correct horse battery")
	second := b.cookie("assentry_session").Value
	if second == first {
		t.Fatal("session id not rotated at login")
	}
	if _, _, err := e.host.Sessions.Lookup(context.Background(), first); err == nil {
		t.Fatal("the session before login is still live")
	}
}

func TestLoginCSRF(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	tests := []struct {
		name  string
		token func(b *browser) string
	}{
		{"missing", func(b *browser) string { b.get("/login"); return "" }},
		{"wrong", func(b *browser) string { b.get("/login"); return strings.Repeat("A", 43) }},
		{"no cookie", func(b *browser) string { return b.get("/login").csrf(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			tok := tt.token(b)
			if tt.name == "no cookie" {
				jarless := e.browser()
				b = jarless
			}
			p := b.post("/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}, "csrf_token": {tok}})
			if p.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.status)
			}
			if b.cookie("assentry_session") != nil {
				t.Fatal("a session was started without a valid CSRF token")
			}
		})
	}
}

func TestLoginBadRequests(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/login", strings.NewReader(`{"username":"a"}`))
	req.Header.Set("Content-Type", "application/json")
	if p := b.do(req); p.status != http.StatusBadRequest {
		t.Fatalf("JSON body: %d, want 400", p.status)
	}
	req, _ = http.NewRequest(http.MethodPut, e.base+"/login", nil)
	if p := b.do(req); p.status != http.StatusMethodNotAllowed || p.header.Get("Allow") != "GET, POST" {
		t.Fatalf("PUT /login: %d Allow=%q", p.status, p.header.Get("Allow"))
	}
	if p := b.get("/login?interaction=doesnotexist"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "unknown or has expired") {
		t.Fatalf("unknown interaction: %d", p.status)
	}
	if p := b.get("/nothing-here"); p.status != http.StatusNotFound {
		t.Fatalf("unknown path: %d", p.status)
	}
	// A body over the limit is refused before it is read (fasthttp answers 413 and closes the connection, so
	// send only the headers and read the answer).
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n",
		strings.TrimPrefix(e.base, "http://"), 2<<20)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB body: %d, want 413", res.StatusCode)
	}
	tok := b.get("/login").csrf(t)
	if p := b.post("/login", url.Values{"username": {strings.Repeat("a", 2000)}, "password": {"x"}, "csrf_token": {tok}}); p.status != http.StatusUnauthorized {
		t.Fatalf("overlong username: %d, want 401", p.status)
	}
}

func TestDisabledUserLogin(t *testing.T) {
	e := newEnv(t)
	e.addUser("carol", "correct horse battery")
	b := e.browser()
	b.login("carol", "correct horse battery")
	if err := e.users.SetDisabled(context.Background(), "carol", true); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/login"); !strings.Contains(p.body, `name="password"`) {
		t.Fatal("a disabled user's session still shows the signed-in page")
	}
	if p := b.login("carol", "correct horse battery"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, "disabled") {
		t.Fatalf("disabled login: %d", p.status)
	}
}

func TestLoginRateLimits(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
		c.RateLimits.LoginPerIP, c.RateLimits.LoginPerUsername = every(3, time.Hour), every(5, time.Hour)
	}))
	e.addUser("alice", "correct horse battery")
	e.addUser("bob", "correct horse battery")

	// Per client IP: the fourth failure from one address is refused, even with the right password.
	b := e.browser()
	b.xff = "203.0.113.7"
	for i := 0; i < 3; i++ {
		if p := b.login("bob", "wrong"); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, p.status)
		}
	}
	p := b.login("bob", "correct horse battery")
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "Try again in") {
		t.Fatalf("after the IP burst: %d Retry-After=%q", p.status, p.header.Get("Retry-After"))
	}
	// Another address (through the trusted proxy) is not affected.
	b.xff = "203.0.113.8"
	if p := b.login("bob", "correct horse battery"); p.status != http.StatusSeeOther {
		t.Fatalf("other IP: %d", p.status)
	}

	// Per username: failures from many addresses add up.
	for i := 0; i < 5; i++ {
		c := e.browser()
		c.xff = "198.51.100." + string(rune('1'+i))
		if p := c.login("alice", "wrong"); p.status != http.StatusUnauthorized {
			t.Fatalf("alice attempt %d: %d", i, p.status)
		}
	}
	c := e.browser()
	c.xff = "198.51.100.99"
	if p := c.login("Alice", "correct horse battery"); p.status != http.StatusTooManyRequests {
		t.Fatalf("after the username burst (other case): %d, want 429", p.status)
	}
}

func TestForwardedForIgnoredFromUntrustedPeer(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) { c.RateLimits.LoginPerIP = every(2, time.Hour) }))
	b := e.browser()
	for i := 0; i < 2; i++ {
		b.xff = "192.0.2." + string(rune('1'+i)) // a fresh forged address each time
		b.login("x", "y")
	}
	b.xff = "192.0.2.200"
	if p := b.login("x", "y"); p.status != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For escaped the per-IP limit: %d", p.status)
	}
}

func TestSessionTTLZero(t *testing.T) {
	e := newEnv(t, withSessionTTL(0))
	e.addUser("alice", "correct horse battery")
	b := e.browser()
	p := b.login("alice", "correct horse battery")
	if p.status != http.StatusOK || !strings.Contains(p.body, "alice") {
		t.Fatalf("login with session_ttl 0: %d", p.status)
	}
	if b.cookie("assentry_session") != nil {
		t.Fatal("a session cookie was set although session_ttl is 0")
	}
	if p := b.get("/login"); !strings.Contains(p.body, `name="password"`) {
		t.Fatal("login remembered although session_ttl is 0")
	}
}
