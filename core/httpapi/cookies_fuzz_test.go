package httpapi

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/session"
	"github.com/gofiber/fiber/v2"
)

// FuzzCSRFCookie sends arbitrary Cookie headers and form values to a real fiber app that reads the CSRF cookie
// as the pages do (csrfToken) and checks forms as they are checked (checkCSRF), on an https host (__Host- cookie)
// and an http one. Reading never fails. A value csrfToken keeps from the browser is 43 bytes and, sent alone in a Cookie
// header, is read back unchanged; one it issues is
// a fresh 256-bit base64url value in an HttpOnly, SameSite=Lax, Path=/ cookie (Secure with the __Host- name on
// https), and that cookie, parsed as a browser does (net/http) and sent back, is read back unchanged without
// being issued again. A form is accepted only with a non-empty value that the Cookie header carries; a form that
// repeats the issued value is accepted, and one that differs from it in one byte is refused.
func FuzzCSRFCookie(f *testing.F) {
	fresh := session.NewCSRF()
	for _, c := range []struct {
		cookie, form string
		secure       bool
	}{
		{"__Host-assentry_csrf=" + fresh, fresh, true}, {"assentry_csrf=" + fresh, fresh, false},
		{"assentry_csrf=" + fresh + "; assentry_session=abc", "x", false}, {"__Host-assentry_csrf=short", "short", true},
		{`assentry_csrf="` + fresh[:41] + `"`, fresh[:41], false}, {"assentry_csrf=" + fresh + "; assentry_csrf=other", "other", false},
		{"assentry_csrf=" + strings.Repeat("\xff", 43), strings.Repeat("\xff", 43), false}, {"", "", true},
		{"assentry_csrf=; __Host-assentry_csrf=" + fresh, "", true}, {";;;=;", "=", false},
		{"assentry_csrf=" + strings.Repeat(" ", 20) + fresh[:23], fresh[:23], false},
	} {
		f.Add(c.cookie, c.form, c.secure)
	}
	hosts := map[bool]*Host{true: {Issuer: &url.URL{Scheme: "https", Host: "auth.example.com"}},
		false: {Issuer: &url.URL{Scheme: "http", Host: "127.0.0.1:8080"}}}
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		c.Locals(localsHost, hosts[c.Get("X-Secure") == "1"])
		return c.Next()
	})
	app.Get("/csrf", func(c *fiber.Ctx) error { return c.SendString(csrfToken(c, hostOf(c))) })
	app.Post("/check", func(c *fiber.Ctx) error {
		if err := checkCSRF(c, hostOf(c)); err != nil {
			return c.SendStatus(fiber.StatusForbidden)
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	do := func(t *testing.T, method, path, cookie, form string, secure bool) *http.Response {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(url.Values{session.CSRFField: {form}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		if secure {
			req.Header.Set("X-Secure", "1")
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	read := func(t *testing.T, cookie string, secure bool) (string, []*http.Cookie) {
		t.Helper()
		res := do(t, http.MethodGet, "/csrf", cookie, "", secure)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != fiber.StatusOK {
			t.Fatalf("Cookie %q: %d %v", cookie, res.StatusCode, err)
		}
		return string(b), res.Cookies()
	}
	f.Fuzz(func(t *testing.T, cookie, form string, secure bool) {
		if strings.ContainsFunc(cookie, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) {
			return // not a header value a browser can send (RFC 9110 §5.5); fasthttp refuses it before any handler
		}
		name := cookieName(hosts[secure], csrfCookie)
		v, set := read(t, cookie, secure)
		if len(set) == 0 {
			if len(v) != 43 {
				t.Fatalf("Cookie %q: kept %q, which is not 43 bytes", cookie, v)
			}
			if back, again := read(t, name+"="+v, secure); back != v || len(again) != 0 {
				t.Fatalf("Cookie %q: kept %q, which sent alone reads back as %q (issued again: %v)", cookie, v, back, again)
			}
		} else {
			ck := set[0]
			raw, err := base64.RawURLEncoding.DecodeString(v)
			if len(set) != 1 || ck.Name != name || ck.Value != v || err != nil || len(raw) != 32 || !ck.HttpOnly ||
				ck.Path != "/" || ck.SameSite != http.SameSiteLaxMode || ck.Secure != secure || ck.Domain != "" {
				t.Fatalf("Cookie %q: issued %q as %+v", cookie, v, set)
			}
			back, again := read(t, name+"="+ck.Value, secure)
			if back != v || len(again) != 0 {
				t.Fatalf("the issued cookie %q reads back as %q (issued again: %v)", v, back, again)
			}
			if res := do(t, http.MethodPost, "/check", name+"="+ck.Value, v, secure); res.StatusCode != fiber.StatusNoContent {
				t.Fatalf("a form repeating the issued %q is refused: %d", v, res.StatusCode)
			}
			other := v[:42] + string(v[42]^1)
			if res := do(t, http.MethodPost, "/check", name+"="+ck.Value, other, secure); res.StatusCode != fiber.StatusForbidden {
				t.Fatalf("a form with %q for the issued %q is accepted: %d", other, v, res.StatusCode)
			}
		}
		res := do(t, http.MethodPost, "/check", cookie, form, secure)
		switch res.StatusCode {
		case fiber.StatusNoContent:
			if form == "" || !strings.Contains(cookie, form) {
				t.Fatalf("Cookie %q: the form value %q is accepted", cookie, form)
			}
		case fiber.StatusForbidden:
		default:
			t.Fatalf("Cookie %q, form %q: %d", cookie, form, res.StatusCode)
		}
	})
}
