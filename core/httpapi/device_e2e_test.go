package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// withDeviceGrant makes the test host serve the device grant, as its default grant_types do.
var withDeviceGrant = withGrantTypes(oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantDeviceCode)

// deviceClient registers a public device client (a TV, a CLI) and returns its x/oauth2 configuration.
func (e *testEnv) deviceClient(id string, scopes ...string) *oauth2.Config {
	e.t.Helper()
	err := e.st.Clients().Create(context.Background(), &store.Client{ID: id, Host: e.host.ID, Name: "Living Room TV",
		GrantTypes: []string{oauth.GrantDeviceCode, oauth.GrantRefreshToken}, TokenEndpointAuthMethod: oauth.AuthNone})
	if err != nil {
		e.t.Fatal(err)
	}
	return &oauth2.Config{ClientID: id, Scopes: scopes, Endpoint: oauth2.Endpoint{
		DeviceAuthURL: e.base + "/oauth2/device", TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
}

// TestEndToEndDeviceFlow: golang.org/x/oauth2 runs the device flow (RFC 8628) and polls while chromium enters the
// user code on the real pages: first a wrong code, then the right one, sign-in, the consent page with its device
// warning, approval. A second device is denied; a third one's code expires before anyone enters it.
func TestEndToEndDeviceFlow(t *testing.T) {
	bctx := newBrowser(t)
	e := newEnv(t, withDeviceGrant)
	e.addUser("alice", "correct horse battery")
	cfg := e.deviceClient("tv-1", "openid", "profile", "offline_access")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		t.Fatalf("device authorization: %v", err)
	}
	if da.VerificationURI != e.base+"/device" || !strings.HasPrefix(da.VerificationURIComplete, e.base+"/device?user_code=") ||
		len(da.UserCode) != 9 || da.Interval != 5 {
		t.Fatalf("device authorization response %+v", da)
	}
	type result struct {
		tok *oauth2.Token
		err error
	}
	polled := make(chan result, 1)
	go func() {
		tok, err := cfg.DeviceAccessToken(ctx, da)
		polled <- result{tok, err}
	}()

	codeField := chromedp.CSS(`input[name="user_code"]`)
	// verification_uri_complete only pre-fills the form; a wrong code first.
	if err := chromedp.Do(bctx, chromedp.Navigate(da.VerificationURIComplete), chromedp.WaitVisible(codeField)); err != nil {
		t.Fatal(err)
	}
	prefilled, err := chromedp.Run(bctx, chromedp.Value(codeField))
	if err != nil {
		t.Fatal(err)
	}
	if prefilled != da.UserCode {
		t.Fatalf("pre-filled %q, want %q", prefilled, da.UserCode)
	}
	screenshot(bctx, t, "device")
	wrong := "BCDF-GHJK"
	if strings.EqualFold(wrong, da.UserCode) {
		wrong = "ZXWV-TSRQ"
	}
	err = chromedp.Do(bctx,
		chromedp.Clear(codeField),
		chromedp.SendKeys(codeField, wrong),
		chromedp.Submit(codeField),
		chromedp.WaitVisible(chromedp.CSS(`#form-error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	alert, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`#form-error`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(alert, "not right") {
		t.Fatalf("wrong code: alert %q", alert)
	}
	// The right code, typed in lower case with a space: matched all the same.
	typed := strings.ToLower(strings.Replace(da.UserCode, "-", " ", 1))
	err = chromedp.Do(bctx,
		chromedp.Clear(codeField),
		chromedp.SendKeys(codeField, typed),
		chromedp.Submit(codeField),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	warning, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`#device-warning`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warning, "Only allow it") {
		t.Fatalf("device consent warning: %q", warning)
	}
	screenshot(bctx, t, "device-consent")
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`button[value="granted"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Device connected")]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	done, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(done, "Living Room TV") {
		t.Fatalf("device_done page: %q", done)
	}
	screenshot(bctx, t, "device-done")
	r := <-polled
	if r.err != nil {
		t.Fatalf("polling: %v", r.err)
	}
	if !strings.HasPrefix(r.tok.AccessToken, "at_") || !strings.HasPrefix(r.tok.RefreshToken, "rt_") ||
		r.tok.Extra("id_token") == nil {
		t.Fatalf("device tokens: %+v", r.tok)
	}
	// The access token is alice's: userinfo says so.
	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+r.tok.AccessToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("userinfo with the device's token: %v %v", res, err)
	}
	res.Body.Close()
	// The code was redeemed once; a second redemption is invalid_grant.
	if _, err := cfg.DeviceAccessToken(ctx, da); !isOAuthError(err, "invalid_grant") {
		t.Fatalf("second redemption: %v", err)
	}

	t.Run("denied", func(t *testing.T) {
		da, err := cfg.DeviceAuth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			tok, err := cfg.DeviceAccessToken(ctx, da)
			polled <- result{tok, err}
		}()
		err = chromedp.Do(bctx,
			chromedp.Navigate(da.VerificationURIComplete),
			chromedp.WaitVisible(codeField),
			chromedp.Submit(codeField),
			// alice's session from the first flow: straight to consent.
			chromedp.WaitVisible(chromedp.CSS(`button[value="denied"]`)),
			chromedp.Click(chromedp.CSS(`button[value="denied"]`)),
			chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Device not connected")]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		if r := <-polled; !isOAuthError(r.err, "access_denied") {
			t.Fatalf("polling after a denial: %v", r.err)
		}
	})

	t.Run("expired", func(t *testing.T) {
		da, err := cfg.DeviceAuth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The code's expiry is data: move it into the past, as ten minutes of waiting would.
		expire(t, e, da.DeviceCode)
		err = chromedp.Do(bctx,
			chromedp.Navigate(da.VerificationURIComplete),
			chromedp.WaitVisible(codeField),
			chromedp.Submit(codeField),
			chromedp.WaitVisible(chromedp.CSS(`#form-error`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		alert, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`#form-error`)))
		if err != nil || !strings.Contains(alert, "expired") {
			t.Fatalf("an expired code entered: %q %v", alert, err)
		}
		if _, err := cfg.DeviceAccessToken(ctx, da); !isOAuthError(err, "expired_token") {
			t.Fatalf("polling an expired code: %v", err)
		}
	})
}

// expire moves a device code's expiry into the past.
func expire(t *testing.T, e *testEnv, deviceCode string) {
	t.Helper()
	d, err := e.st.DeviceCodes().Get(context.Background(), e.host.ID, oauth.Digest(deviceCode))
	if err != nil {
		t.Fatal(err)
	}
	d.ValidUntil = time.Now().Add(-time.Second)
	if err := e.st.DeviceCodes().Update(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

// isOAuthError reports whether err is x/oauth2's error for an OAuth error response with code.
func isOAuthError(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}

// TestDeviceEndpoints: the JSON endpoint's errors and the pages' rules through HTTP: a client without the grant,
// a host without it (404, and no device_authorization_endpoint in its metadata), CSRF on the code form, and the
// wrong-code limit (RFC 8628 §5.1) per browser that leaves another browser free.
func TestDeviceEndpoints(t *testing.T) {
	e := newEnv(t, withDeviceGrant, withConfig(func(c *config.Config) {
		c.RateLimits.DeviceCodePerBrowser = every(2, time.Hour)
	}))
	e.deviceClient("tv-2")
	b := e.browser()
	post := b.post
	if p := post("/oauth2/device", url.Values{"client_id": {"tv-2"}}); p.status != http.StatusOK ||
		!strings.Contains(p.body, `"user_code"`) || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("device authorization: %d %s", p.status, p.body)
	}
	spa, _, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "SPA", Public: true,
		RedirectURIs: []string{"https://spa.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := post("/oauth2/device", url.Values{"client_id": {spa.ID}}); p.status != http.StatusBadRequest ||
		!strings.Contains(p.body, "unauthorized_client") {
		t.Fatalf("client without the grant: %d %s", p.status, p.body)
	}
	if p := b.get("/.well-known/oauth-authorization-server"); !strings.Contains(p.body, `"device_authorization_endpoint":"`+e.base+`/oauth2/device"`) {
		t.Fatalf("metadata: %s", p.body)
	}
	// The code form needs its CSRF field.
	if p := post("/device", url.Values{"user_code": {"BCDF-GHJK"}}); p.status != http.StatusForbidden {
		t.Fatalf("code form without CSRF: %d", p.status)
	}
	form := b.get("/device")
	for i := 0; i < 2; i++ {
		p := post("/device", url.Values{"user_code": {"BCDF-GHJK"}, "csrf_token": {form.csrf(t)}})
		if p.status != http.StatusBadRequest {
			t.Fatalf("wrong code %d: %d", i, p.status)
		}
	}
	p := post("/device", url.Values{"user_code": {"BCDF-GHJK"}, "csrf_token": {form.csrf(t)}})
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "Too many wrong codes") {
		t.Fatalf("third wrong code: %d %q", p.status, p.header.Get("Retry-After"))
	}
	// Another browser is not locked out.
	other := e.browser()
	f2 := other.get("/device")
	if p := other.post("/device", url.Values{"user_code": {"BCDF-GHJK"}, "csrf_token": {f2.csrf(t)}}); p.status != http.StatusBadRequest {
		t.Fatalf("another browser after the first was limited: %d", p.status)
	}

	off := newEnv(t, withGrantTypes(oauth.GrantAuthorizationCode, oauth.GrantRefreshToken))
	ob := off.browser()
	if p := ob.get("/device"); p.status != http.StatusNotFound {
		t.Fatalf("/device on a host without the grant: %d", p.status)
	}
	if p := ob.get("/.well-known/openid-configuration"); strings.Contains(p.body, "device_authorization_endpoint") {
		t.Fatal("a host without the device grant lists its endpoint")
	}
}
