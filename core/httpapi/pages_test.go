package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
)

// getLang GETs a page with an Accept-Language header.
func (b *browser) getLang(path, lang string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.env.base+path, nil)
	req.Header.Set("Accept-Language", lang)
	return b.do(req)
}

// followLang follows a same-site 303 with an Accept-Language header.
func (b *browser) followLang(p page, lang string) page {
	b.t.Helper()
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/") {
		b.t.Fatalf("expected a same-site 303, got %d %q\n%s", p.status, loc, p.body)
	}
	return b.getLang(loc, lang)
}

// TestPageLanguage: the authorization request's ui_locales beats the user's stored locale, which beats the
// browser's Accept-Language (OIDC Core 1.0 §3.1.2.1); the page says which with <html lang>.
func TestPageLanguage(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	if _, err := e.users.Add(context.Background(), account.NewUser{Username: "berta", Password: "correct horse battery", Locale: "de-AT"}); err != nil {
		t.Fatal(err)
	}
	web, _, untrusted := e.flowClients()
	german := func(t *testing.T, p page, want ...string) {
		t.Helper()
		for _, w := range append(want, `<html lang="de">`) {
			if !strings.Contains(p.body, w) {
				t.Fatalf("page lacks %q:\n%s", w, p.body)
			}
		}
	}

	t.Run("Accept-Language", func(t *testing.T) {
		b := e.browser()
		german(t, b.getLang("/login", "de-CH, en;q=0.5"), "<h1>Anmelden</h1>", "Benutzername")
		if p := b.getLang("/login", "fr"); !strings.Contains(p.body, `<html lang="en">`) {
			t.Fatalf("unsupported language: not English:\n%s", p.body)
		}
	})
	t.Run("ui_locales beats Accept-Language, and the wrong password is German", func(t *testing.T) {
		b := e.browser()
		login := b.followLang(b.getLang(authzQuery(web, webRedirect, "openid", "ui_locales", "fr de"), "en"), "en")
		german(t, login, "um mit Web App fortzufahren")
		p := b.loginAt(login, "alice", "wrong")
		german(t, p, "Benutzername oder Passwort ist nicht korrekt.")
		consent := b.followLang(b.loginAt(login, "alice", "correct horse battery"), "en")
		german(t, consent, "Web App zulassen", "Sie anmelden", "(immer enthalten)")
	})
	t.Run("the user's locale beats Accept-Language", func(t *testing.T) {
		b := e.browser()
		login := b.followLang(b.getLang(authzQuery(web, webRedirect, "openid profile"), "en"), "en")
		consent := b.followLang(b.loginAt(login, "berta", "correct horse battery"), "en")
		german(t, consent, "Ihr Profil")
	})
	t.Run("ui_locales beats the user's locale", func(t *testing.T) {
		b := e.browser()
		login := b.followLang(b.getLang(authzQuery(web, webRedirect, "openid profile", "ui_locales", "en"), "de"), "de")
		consent := b.followLang(b.loginAt(login, "berta", "correct horse battery"), "de")
		if !strings.Contains(consent.body, `<html lang="en">`) || !strings.Contains(consent.body, "Your profile") {
			t.Fatalf("consent is not English:\n%s", consent.body)
		}
	})
	t.Run("an error page shown for an authorization request", func(t *testing.T) {
		p := e.browser().getLang(authzQuery("no-such-client", webRedirect, "openid", "ui_locales", "de"), "en")
		german(t, p, "Diese Anfrage kann nicht ausgeführt werden", `id="request-id">`+p.header.Get("X-Request-ID"))
	})
	t.Run("an error page for a code the protocol names in English", func(t *testing.T) {
		// request=abc of an untrusted client before sign-in: shown, not redirected (RFC 9700 §4.11.2). The main
		// sentence is the catalog's German; the English error_description is only the detail.
		p := e.browser().getLang(authzQuery(untrusted, "https://stranger.example.net/cb", "openid", "request", "abc"), "de")
		german(t, p, "<h1>Anfrage nicht unterstützt</h1>", "<p>Die Anwendung hat ihre Anfrage in einer Form gesendet",
			`id="error-detail">Details: request objects are not supported</p>`)
	})
}

// TestConsentOpenIDCannotBeDeclined: openid is fixed text on the consent page, and a forged form that leaves it
// out still grants it with "Allow" (the user declines the sign-in with "Deny": OIDC Core 1.0 §3.1.2.4 asks for
// consent to the request as a whole; granting an OpenID request without openid would answer it as plain OAuth).
func TestConsentOpenIDCannotBeDeclined(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	web, _, _ := e.flowClients()
	b := e.browser()
	b.login("alice", "correct horse battery")
	consent := b.follow(b.get(authzQuery(web, webRedirect, "openid profile email")))
	if strings.Contains(consent.body, `value="openid"`) || !strings.Contains(consent.body, `id="scope-openid"`) ||
		!strings.Contains(consent.body, `name="scope" value="profile"`) {
		t.Fatalf("openid is not fixed text, or profile lost its checkbox:\n%s", consent.body)
	}
	q := clientRedirect(t, b.consentAt(consent, "granted", "profile"), webRedirect+"?")
	c, err := e.st.Codes().Consume(context.Background(), "test", oauth.Digest(q.Get("code")))
	if err != nil || oauth.JoinScope(c.Scopes) != "openid profile" {
		t.Fatalf("granted scopes: %v %v; want openid profile", c.Scopes, err)
	}
}

// TestBrandingOnPages: the operator's logo (by its hashed URL, cached as immutable), terms, privacy and help
// links reach every page, consent names the client's origin and where the code goes for an untrusted client, and
// points at the account page.
func TestBrandingOnPages(t *testing.T) {
	e := newEnv(t, withConfig(func(c *config.Config) {
		c.TermsURL, c.PolicyURL = "https://example.com/terms", "https://example.com/privacy"
		c.Branding = config.Branding{Logo: "favicon.svg", SupportURL: "https://example.com/help"}
	}))
	e.addUser("alice", "correct horse battery")
	_, native, untrusted := e.flowClients()
	b := e.browser()
	footer := []string{`<a href="https://example.com/terms" id="footer-terms">Terms</a>`,
		`<a href="https://example.com/privacy" id="footer-privacy">Privacy</a>`,
		`<a href="https://example.com/help" id="footer-help">Help</a>`}
	logo, err := e.host.Theme.Load().StaticURL("favicon.svg")
	if err != nil || logo == "/static/favicon.svg" {
		t.Fatalf("hashed logo URL %q: %v", logo, err)
	}
	footer = append(footer, `<img class="site-logo" src="`+logo+`"`)
	if p := b.get(logo); p.status != http.StatusOK || p.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("GET %s: %d %q", logo, p.status, p.header.Get("Cache-Control"))
	}
	for _, p := range []page{b.get("/login"), b.get("/nope"), b.get("/device")} {
		for _, w := range footer {
			if !strings.Contains(p.body, w) {
				t.Fatalf("page lacks %q:\n%s", w, p.body)
			}
		}
	}
	b.login("alice", "correct horse battery")
	consent := b.follow(b.get(authzQuery(native, "http://127.0.0.1/cb", "openid")))
	for _, w := range []string{`<p class="lead" id="client-origin">127.0.0.1</p>`, `<a href="/account">your account page</a>`} {
		if !strings.Contains(consent.body, w) {
			t.Fatalf("consent of a client without client_uri lacks %q:\n%s", w, consent.body)
		}
	}
	if strings.Contains(consent.body, `id="redirect-host"`) {
		t.Fatalf("a trusted client's consent shows the redirect host note:\n%s", consent.body)
	}
	consent = b.follow(b.get(authzQuery(untrusted, "https://stranger.example.net/cb", "openid")))
	if !strings.Contains(consent.body, "you will be sent on to stranger.example.net") {
		t.Fatalf("an untrusted client's consent does not say where the code goes:\n%s", consent.body)
	}
	// Sign-out offers a way back: cancel leads to the account page.
	if p := b.get("/logout"); !strings.Contains(p.body, `<a class="button secondary" href="/account" id="logout-cancel">Cancel</a>`) {
		t.Fatalf("the sign-out page has no cancel:\n%s", p.body)
	}
}
