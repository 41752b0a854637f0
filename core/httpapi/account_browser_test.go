package httpapi

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// Selectors of the default account page.
var (
	accUsername   = chromedp.CSS(`input[name="username"]`)
	accPassword   = chromedp.CSS(`input[name="password"]`)
	accRevoke     = chromedp.CSS(`form[action="/account/revoke"] button[type="submit"]`)
	accSignOutAll = chromedp.CSS(`form[action="/account/sessions"] button[type="submit"]`)
	accDone       = chromedp.CSS(`#account-done`)
	accNoApps     = chromedp.CSS(`#no-applications`)
)

// signInAt opens path in the browser, signs in as alice on the login page it is sent to, and waits for sel.
func signInAt(t *testing.T, ctx context.Context, url, pw string, sel chromedp.Action[chromedp.Void]) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(accUsername),
		chromedp.SendKeys(accUsername, "alice"),
		chromedp.SendKeys(accPassword, pw),
		chromedp.Submit(accPassword),
		sel,
	)
	if err != nil {
		t.Fatalf("signing in at %s: %v", url, err)
	}
}

// authorizeInBrowser runs the code flow in a signed-in browser up to the client's tokens.
func authorizeInBrowser(t *testing.T, ctx context.Context, cfg *oauth2.Config, cb *callbackServer) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	err := chromedp.Do(ctx,
		chromedp.Navigate(cfg.AuthCodeURL("state-account", oauth2.S256ChallengeOption(verifier))),
		chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
		chromedp.Click(chromedp.CSS(`button[value="granted"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	q := cb.Wait(t)
	landed(t, ctx)
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// refreshes reports whether the client can refresh tok.
func refreshes(cfg *oauth2.Config, tok *oauth2.Token) bool {
	stale := *tok
	stale.Expiry = time.Now().Add(-time.Minute)
	_, err := cfg.TokenSource(context.Background(), &stale).Token()
	return err == nil
}

// userinfoStatus is the status of a UserInfo request with the access token.
func userinfoStatus(t *testing.T, e *testEnv, access string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func pageText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// TestBrowserAccountRevoke: the account page signs in through the login page and comes back; an application
// authorized through the code flow is listed with its name and origin; removing it ends its tokens at once for
// introspection, refresh and userinfo, and the audit log records consent.withdrawn.
func TestBrowserAccountRevoke(t *testing.T) {
	bctx := newBrowser(t)
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	e := newEnv(t, withAudit(t, auditPath))
	alice := e.addUser("alice", "correct horse battery")
	cb := newCallbackServer(t)
	client, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Relying Party",
		ClientURI: "https://rp.example.com/", RedirectURIs: []string{cb.URL}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &oauth2.Config{ClientID: client.ID, ClientSecret: secret, RedirectURL: cb.URL,
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"},
		Scopes:   []string{"openid", "profile", "offline_access"}}

	signInAt(t, bctx, e.base+"/account", "correct horse battery", chromedp.WaitVisible(accNoApps))
	if loc, err := chromedp.Run(bctx, chromedp.Location()); err != nil || loc != e.base+"/account" {
		t.Fatalf("after signing in the browser is at %q (%v), want the account page", loc, err)
	}
	screenshot(bctx, t, "account-empty")

	tok := authorizeInBrowser(t, bctx, cfg, cb)
	if !active(t, e, cfg, tok.AccessToken) || userinfoStatus(t, e, tok.AccessToken) != http.StatusOK {
		t.Fatal("the new access token does not work")
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(e.base+"/account"), chromedp.WaitVisible(accRevoke)); err != nil {
		t.Fatal(err)
	}
	apps := pageText(t, bctx, "#applications")
	for _, want := range []string{"Relying Party", "rp.example.com", "Sign you in", "First used", "last used"} {
		if !strings.Contains(apps, want) {
			t.Errorf("the applications list lacks %q:\n%s", want, apps)
		}
	}
	screenshot(bctx, t, "account")

	if err := chromedp.Do(bctx, chromedp.Click(accRevoke), chromedp.WaitVisible(accDone), chromedp.WaitVisible(accNoApps)); err != nil {
		t.Fatalf("revoking: %v", err)
	}
	screenshot(bctx, t, "account-revoked")
	if active(t, e, cfg, tok.AccessToken) {
		t.Error("introspection: the access token of the removed application is active")
	}
	if refreshes(cfg, tok) {
		t.Error("the refresh token of the removed application still refreshes")
	}
	if got := userinfoStatus(t, e, tok.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("userinfo with the removed application's token: %d, want 401", got)
	}
	var withdrawn, revoked int
	for _, l := range readAudit(t, auditPath) {
		switch events.Kind(l.get("event")) {
		case events.ConsentWithdrawn:
			withdrawn++
			if l.get("client_id") != client.ID || l.get("user_id") != alice.ID || l.get("ip") == "" ||
				l.get("request_id") == "" || !strings.Contains(l.get("scope"), "openid") {
				t.Errorf("consent.withdrawn line: %v", l)
			}
		case events.TokenRevoked:
			if l.get("reason") == "user_revoked" && l.get("client_id") == client.ID && l.get("grant_id") != "" {
				revoked++
			}
		}
	}
	if withdrawn != 1 || revoked != 1 {
		t.Errorf("audit: %d consent.withdrawn and %d token.revoked lines of the removal, want 1 and 1", withdrawn, revoked)
	}
}

// TestBrowserAccountSessionsAndPassword: "sign out everywhere else" ends another browser's session and keeps
// this one; a password change needs the current password, then ends the other sessions and every token chain
// while this browser stays signed in.
func TestBrowserAccountSessionsAndPassword(t *testing.T) {
	here := newBrowser(t)
	there := newBrowser(t)
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	cb := newCallbackServer(t)
	client, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Relying Party",
		RedirectURIs: []string{cb.URL}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &oauth2.Config{ClientID: client.ID, ClientSecret: secret, RedirectURL: cb.URL,
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"},
		Scopes:   []string{"openid", "offline_access"}}
	signInAt(t, here, e.base+"/account", "correct horse battery", chromedp.WaitVisible(accSignOutAll))
	signInAt(t, there, e.base+"/account", "correct horse battery", chromedp.WaitVisible(accSignOutAll))
	if err := chromedp.Do(here, chromedp.Reload(), chromedp.WaitVisible(accSignOutAll)); err != nil {
		t.Fatal(err)
	}
	if s := pageText(t, here, "#sessions"); !strings.Contains(s, "This browser") || !strings.Contains(s, "Another browser") {
		t.Fatalf("sessions list:\n%s", s)
	}

	if err := chromedp.Do(here, chromedp.Click(accSignOutAll), chromedp.WaitVisible(accDone)); err != nil {
		t.Fatal(err)
	}
	if s := pageText(t, here, "#account-done"); !strings.Contains(s, "1 session") {
		t.Errorf("confirmation: %q", s)
	}
	if err := chromedp.Do(there, chromedp.Navigate(e.base+"/account"), chromedp.WaitVisible(accUsername)); err != nil {
		t.Fatalf("the other browser is still signed in: %v", err)
	}
	if err := chromedp.Do(here, chromedp.Navigate(e.base+"/account"), chromedp.WaitVisible(accSignOutAll)); err != nil {
		t.Fatalf("this browser was signed out: %v", err)
	}

	// The other browser signs in again and the client gets tokens; then the password changes here.
	signInAt(t, there, e.base+"/account", "correct horse battery", chromedp.WaitVisible(accSignOutAll))
	tok := authorizeInBrowser(t, here, cfg, cb)
	current := chromedp.CSS(`#current_password`)
	changePassword := func(cur string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(e.base+"/account"),
			chromedp.WaitVisible(current),
			chromedp.SendKeys(current, cur),
			chromedp.SendKeys(chromedp.CSS(`#new_password`), "battery staple horse"),
			chromedp.SendKeys(chromedp.CSS(`#confirm_password`), "battery staple horse"),
			chromedp.Submit(current),
		)
	}
	if err := chromedp.Do(here, changePassword("wrong"), chromedp.WaitVisible(chromedp.CSS(`#form-error`))); err != nil {
		t.Fatal(err)
	}
	if s := pageText(t, here, "#form-error"); !strings.Contains(s, "not correct") {
		t.Errorf("wrong current password: %q", s)
	}
	screenshot(here, t, "account-password-refused")
	if !refreshes(cfg, tok) {
		t.Fatal("a refused password change ended the token chain")
	}
	if err := chromedp.Do(here, changePassword("correct horse battery"), chromedp.WaitVisible(accDone)); err != nil {
		t.Fatal(err)
	}
	if s := pageText(t, here, "#account-done"); !strings.Contains(s, "password was changed") {
		t.Errorf("confirmation: %q", s)
	}
	if err := chromedp.Do(there, chromedp.Navigate(e.base+"/account"), chromedp.WaitVisible(accUsername)); err != nil {
		t.Fatalf("the other browser is still signed in after the password change: %v", err)
	}
	if err := chromedp.Do(here, chromedp.Navigate(e.base+"/account"), chromedp.WaitVisible(accSignOutAll)); err != nil {
		t.Fatalf("this browser was signed out by its own password change: %v", err)
	}
	if refreshes(cfg, tok) {
		t.Error("the token chain survived the password change")
	}
	// The new password signs in.
	signInAt(t, there, e.base+"/account", "battery staple horse", chromedp.WaitVisible(accSignOutAll))
}
