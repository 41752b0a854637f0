package httpapi

import (
	"context"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/chromedp/chromedp"
)

// TestBrowserGermanFlow: chromium signs in through a flow asked for with ui_locales=de and sees German pages
// with the operator's footer links, the show-password toggle works (page script, no inline code), and the consent
// page shows openid as fixed text with the account page link; Allow brings the code to the relying party.
func TestBrowserGermanFlow(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, withConfig(func(c *config.Config) {
		c.TermsURL, c.PolicyURL = "https://example.com/terms", "https://example.com/privacy"
		c.Branding = config.Branding{SupportURL: "https://example.com/help"}
	}))
	e.addUser("alice", "correct horse battery")
	cb := newCallbackServer(t)
	client, _, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Browser App", Public: true,
		RedirectURIs: []string{cb.URL}})
	if err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	password := chromedp.CSS(`#password`)
	toggle := chromedp.CSS(`#password-toggle`)

	err = chromedp.Do(ctx, chromedp.Navigate(e.base+authzQuery(client.ID, cb.URL, "openid profile", "ui_locales", "de")),
		chromedp.WaitVisible(toggle))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "login-de")
	if h1, lang := text("h1"), eval(`document.documentElement.lang`); h1 != "Anmelden" || lang != "de" {
		t.Fatalf("login page: h1 %q, lang %q; want German", h1, lang)
	}
	for sel, want := range map[string]string{"#footer-terms": "Nutzungsbedingungen", "#footer-privacy": "Datenschutz", "#footer-help": "Hilfe"} {
		if got := text(sel); got != want {
			t.Errorf("footer %s = %q, want %q", sel, got, want)
		}
	}
	// The toggle shows the password as text and back; the form still posts it.
	if err := chromedp.Do(ctx, chromedp.SendKeys(password, "correct horse battery"), chromedp.Click(toggle)); err != nil {
		t.Fatal(err)
	}
	if typ, label := eval(`document.getElementById("password").type`), text("#password-toggle"); typ != "text" || label != "Passwort verbergen" {
		t.Fatalf("after the toggle: type %q, label %q", typ, label)
	}
	if err := chromedp.Do(ctx, chromedp.Click(toggle)); err != nil {
		t.Fatal(err)
	}
	if typ := eval(`document.getElementById("password").type`); typ != "password" {
		t.Fatalf("after the second toggle: type %q", typ)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#username`), "alice"),
		chromedp.Submit(password),
		chromedp.WaitVisible(chromedp.CSS(`#scope-openid`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "consent-de")
	if n := eval(`String(document.querySelectorAll('input[value="openid"]').length)`); n != "0" {
		t.Fatalf("openid has %s checkbox(es)", n)
	}
	for sel, want := range map[string]string{"#scope-openid": "Sie anmelden", "#revoke-note": "Ihrer Kontoseite", "h1": "Browser App zulassen"} {
		if got := text(sel); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", sel, got, want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[value="granted"]`))); err != nil {
		t.Fatal(err)
	}
	q := cb.Wait(t)
	landed(t, ctx)
	if q.Get("code") == "" {
		t.Fatalf("no code: %v", q)
	}
}
