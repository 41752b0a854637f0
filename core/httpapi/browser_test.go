package httpapi

import (
	"context"
	"strings"
	"testing"

	"github.com/assentry/assentry/internal/browsertest"
	"github.com/chromedp/chromedp"
)

func newBrowser(t *testing.T) context.Context { return browsertest.New(t) }

func screenshot(ctx context.Context, t *testing.T, name string) { browsertest.Screenshot(ctx, t, name) }

func TestBrowserLogin(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	username := chromedp.CSS(`input[name="username"]`)
	password := chromedp.CSS(`input[name="password"]`)
	signOut := chromedp.CSS(`form[action="/logout"] button[type="submit"]`)

	if err := chromedp.Do(ctx, chromedp.Navigate(e.base+"/login"), chromedp.WaitVisible(username)); err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "login")
	// A wrong password first: the page says so and keeps the username.
	err := chromedp.Do(ctx,
		chromedp.SendKeys(username, "alice"),
		chromedp.SendKeys(password, "wrong"),
		chromedp.Submit(password),
		chromedp.WaitVisible(chromedp.CSS(`[role="alert"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[role="alert"]`)))
	if err != nil {
		t.Fatal(err)
	}
	value, err := chromedp.Run(ctx, chromedp.Value(username))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "not correct") || value != "alice" {
		t.Fatalf("after a wrong password: alert %q, username %q", text, value)
	}
	screenshot(ctx, t, "login-error")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(password, "correct horse battery"),
		chromedp.Submit(password),
		chromedp.WaitVisible(signOut),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Signed in as alice") {
		t.Fatalf("signed-in page does not name the user: %q", text)
	}
	screenshot(ctx, t, "signed-in")

	// Sign out through the page, then the login form is back.
	err = chromedp.Do(ctx,
		chromedp.Click(signOut),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Signed out")]`)),
		chromedp.Navigate(e.base+"/login"),
		chromedp.WaitVisible(password),
	)
	if err != nil {
		t.Fatalf("after sign-out the login form is not shown again: %v", err)
	}
}
