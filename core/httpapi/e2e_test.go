package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/internal/browsertest"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// The relying party's side (browsertest.Callback): its redirect endpoint and the page the browser lands on.
type callbackServer = browsertest.Callback

func newCallbackServer(t *testing.T) *callbackServer { return browsertest.NewCallback(t) }

func landed(t *testing.T, ctx context.Context) { browsertest.Landed(t, ctx) }

// TestEndToEndCodeFlow: golang.org/x/oauth2 runs the code flow with PKCE while chromium, driven by chromedp,
// signs in and consents on the real pages; then the client exchanges, refreshes, introspects and revokes.
func TestEndToEndCodeFlow(t *testing.T) {
	bctx := newBrowser(t)
	e := newEnv(t)
	e.addUser("alice", "correct horse battery")
	cb := newCallbackServer(t)
	client, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Relying Party",
		RedirectURIs: []string{cb.URL}, Introspect: false})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &oauth2.Config{
		ClientID: client.ID, ClientSecret: secret, RedirectURL: cb.URL,
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"},
		Scopes:   []string{"openid", "profile", "offline_access"},
	}
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("state-e2e", oauth2.S256ChallengeOption(verifier))

	err = chromedp.Do(bctx,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(bctx, t, "consent")
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(`button[value="granted"]`))); err != nil {
		t.Fatal(err)
	}
	q := cb.Wait(t)
	landed(t, bctx)
	if q.Get("state") != "state-e2e" || q.Get("iss") != e.base {
		t.Fatalf("callback: %v", q)
	}

	ctx := context.Background()
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if !strings.HasPrefix(tok.AccessToken, "at_") || !strings.HasPrefix(tok.RefreshToken, "rt_") || tok.TokenType != "Bearer" {
		t.Fatalf("token: %+v", tok)
	}
	if got := tok.Extra("scope"); got != "openid profile offline_access" {
		t.Fatalf("scope: %v", got)
	}
	// The code is single use.
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("a code was exchanged twice")
	}
	// The replay revoked the chain of the first exchange (RFC 6749 §4.1.2).
	if active(t, e, cfg, tok.AccessToken) {
		t.Fatal("the access token survived a code replay")
	}

	// A fresh flow: the browser has a session, so no login; the redirect is a loopback one, so the consent page
	// is shown again (RFC 8252 §8.6).
	verifier = oauth2.GenerateVerifier()
	err = chromedp.Do(bctx,
		chromedp.Navigate(cfg.AuthCodeURL("state-2", oauth2.S256ChallengeOption(verifier))),
		chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
		chromedp.Click(chromedp.CSS(`button[value="granted"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	q = cb.Wait(t)
	landed(t, bctx)
	tok, err = cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("second exchange: %v", err)
	}
	if !active(t, e, cfg, tok.AccessToken) {
		t.Fatal("fresh access token is not active")
	}

	// Refresh through the library: rotation gives a new refresh token; the old one is then reuse.
	old := tok.RefreshToken
	tok.Expiry = time.Now().Add(-time.Minute)
	fresh, err := cfg.TokenSource(ctx, tok).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.RefreshToken == old || fresh.AccessToken == tok.AccessToken {
		t.Fatal("refresh did not rotate")
	}
	if !active(t, e, cfg, fresh.AccessToken) {
		t.Fatal("refreshed access token is not active")
	}
	// Revocation of the refresh token ends the chain (RFC 7009 §2.1).
	// (client_secret_basic is this client's registered method, so the secret goes in the header.)
	req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth2/revoke", strings.NewReader(url.Values{"token": {fresh.RefreshToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(client.ID), url.QueryEscape(secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if active(t, e, cfg, fresh.AccessToken) {
		t.Fatal("access token active after its refresh token was revoked")
	}
}

// active introspects a token with the client's credentials (RFC 7662).
func active(t *testing.T, e *testEnv, cfg *oauth2.Config, token string) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Active   bool   `json:"active"`
		ClientID string `json:"client_id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("introspect: %d %v", res.StatusCode, err)
	}
	if out.Active && out.ClientID != cfg.ClientID {
		t.Fatalf("introspection names client %q", out.ClientID)
	}
	return out.Active
}

// TestEndToEndPublicClient: a public client (no secret, PKCE) exchanges its code through golang.org/x/oauth2's
// auth-style auto-detection, which first tries Basic with an empty secret (refused: 401 invalid_client) and
// then sends client_id in the body.
func TestEndToEndPublicClient(t *testing.T) {
	bctx := newBrowser(t)
	e := newEnv(t)
	e.addUser("bob", "correct horse battery")
	cb := newCallbackServer(t)
	client, _, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Desktop App", Public: true, RedirectURIs: []string{cb.URL}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &oauth2.Config{ClientID: client.ID, RedirectURL: cb.URL, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"}}
	verifier := oauth2.GenerateVerifier()
	err = chromedp.Do(bctx,
		chromedp.Navigate(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "bob"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
		chromedp.Click(chromedp.CSS(`button[value="granted"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	q := cb.Wait(t)
	landed(t, bctx)
	// Without the verifier the code is refused, and burnt: PKCE protects a stolen code.
	if _, err := cfg.Exchange(context.Background(), q.Get("code")); err == nil {
		t.Fatal("a public client's code was exchanged without its verifier")
	}
	verifier = oauth2.GenerateVerifier()
	err = chromedp.Do(bctx,
		chromedp.Navigate(cfg.AuthCodeURL("s2", oauth2.S256ChallengeOption(verifier))),
		chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
		chromedp.Click(chromedp.CSS(`button[value="granted"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	q = cb.Wait(t)
	landed(t, bctx)
	tok, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("public client exchange: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken != "" {
		t.Fatalf("token without offline_access: %+v", tok)
	}
}
