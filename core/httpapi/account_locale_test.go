package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/account"
)

// TestAccountLanguage: the account page and the error pages of a signed-in user speak the user's stored locale,
// which beats the browser's Accept-Language, and a ui_locales on the page's link beats both (OIDC Core 1.0
// §3.1.2.1, §5.1). The applications' scopes are named with the consent page's words in that language.
func TestAccountLanguage(t *testing.T) {
	e := newEnv(t)
	if _, err := e.users.Add(context.Background(), account.NewUser{Username: "berta", Password: "correct horse battery",
		Locale: "de-AT"}); err != nil {
		t.Fatal(err)
	}
	web, _, _ := e.flowClients()
	has := func(t *testing.T, p page, want ...string) {
		t.Helper()
		if p.status != http.StatusOK && p.status != http.StatusNotFound && p.status != http.StatusBadRequest {
			t.Fatalf("status %d:\n%s", p.status, p.body)
		}
		for _, w := range want {
			if !strings.Contains(p.body, w) {
				t.Fatalf("page lacks %q:\n%s", w, p.body)
			}
		}
	}
	scopes := []string{"Sie anmelden", "Ihr Profil", "Ihre E-Mail-Adresse"}

	// Berta authorizes the web client; her consent page is German whatever the browser asks for.
	b := e.browser()
	login := b.followLang(b.getLang(authzQuery(web, webRedirect, "openid profile email"), "en"), "en")
	consent := b.followLang(b.loginAt(login, "berta", "correct horse battery"), "en")
	has(t, consent, append([]string{`<html lang="de">`}, scopes...)...)
	clientRedirect(t, b.consentAt(consent, "granted", "profile", "email"), webRedirect+"?")

	t.Run("no Accept-Language", func(t *testing.T) {
		p := b.get("/account")
		has(t, p, append([]string{`<html lang="de">`, "<h1>Ihr Konto</h1>", "Darf:"}, scopes...)...)
		if strings.Contains(p.body, "Your profile") || strings.Contains(p.body, "Sign you in") {
			t.Fatalf("English scope titles on the German page:\n%s", p.body)
		}
	})
	t.Run("the stored locale beats Accept-Language", func(t *testing.T) {
		has(t, b.getLang("/account", "en-US, en;q=0.9"), append([]string{`<html lang="de">`, "<h1>Ihr Konto</h1>"}, scopes...)...)
	})
	t.Run("ui_locales beats the stored locale", func(t *testing.T) {
		has(t, b.getLang("/account?ui_locales=en", "de"), `<html lang="en">`, "<h1>Your account</h1>", "Your profile")
	})
	t.Run("an error page of the signed-in user", func(t *testing.T) {
		has(t, b.getLang("/nope", "en"), `<html lang="de">`, "Seite nicht gefunden")
		has(t, b.getLang("/consent?interaction=nope", "en"), `<html lang="de">`)
	})
	t.Run("an error page after signing out follows Accept-Language", func(t *testing.T) {
		anon := e.browser()
		has(t, anon.getLang("/nope", "en"), `<html lang="en">`, "Page not found")
	})
}
