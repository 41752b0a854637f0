package httpapi

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestEndToEndOpenIDConnect: an unmodified go-oidc relying party discovers the provider, runs the code flow
// (chromium signs in and consents), verifies the id_token through discovery and the JWKS for each algorithm,
// checks nonce and at_hash, reads userinfo, and signs the user out through the end_session_endpoint.
func TestEndToEndOpenIDConnect(t *testing.T) {
	bctx := newBrowser(t)
	e := newEnv(t, withAlgs("RS256", "ES256", "EdDSA"))
	u := e.addUser("alice", "correct horse battery")
	if err := e.users.SetRoles(context.Background(), "alice", []string{"user"}); err != nil {
		t.Fatal(err)
	}
	cb := newCallbackServer(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, e.base)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	loggedIn := false
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			client, secret, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "RP " + alg,
				RedirectURIs: []string{cb.URL}, PostLogoutRedirectURIs: []string{cb.URL + "?logged-out"}, IDTokenAlg: alg})
			if err != nil {
				t.Fatal(err)
			}
			cfg := &oauth2.Config{ClientID: client.ID, ClientSecret: secret, RedirectURL: cb.URL,
				Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
			verifier := oauth2.GenerateVerifier()
			nonce := "n-" + alg
			actions := []chromedp.Action[chromedp.Void]{chromedp.Navigate(cfg.AuthCodeURL("st", oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))}
			if !loggedIn {
				actions = append(actions,
					chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
					chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
					chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
					chromedp.Submit(chromedp.CSS(`input[name="password"]`)))
				loggedIn = true
			}
			actions = append(actions, chromedp.WaitVisible(chromedp.CSS(`button[value="granted"]`)),
				chromedp.Click(chromedp.CSS(`button[value="granted"]`)))
			if err := chromedp.Do(bctx, actions...); err != nil {
				t.Fatal(err)
			}
			q := cb.Wait(t)
			landed(t, bctx)
			tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			raw, _ := tok.Extra("id_token").(string)
			idt, err := provider.Verifier(&oidc.Config{ClientID: client.ID}).Verify(ctx, raw)
			if err != nil {
				t.Fatalf("verify id_token: %v", err)
			}
			var claims struct {
				AuthTime int64    `json:"auth_time"`
				AMR      []string `json:"amr"`
			}
			if err := idt.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if idt.Subject != u.ID || idt.Nonce != nonce || idt.Issuer != e.base || claims.AuthTime == 0 || len(claims.AMR) != 1 {
				t.Fatalf("id_token: sub %q nonce %q iss %q claims %+v", idt.Subject, idt.Nonce, idt.Issuer, claims)
			}
			if header := strings.SplitN(raw, ".", 2)[0]; !strings.Contains(decodeSegment(t, header), `"alg":"`+alg+`"`) {
				t.Fatalf("id_token header %s, want alg %s", decodeSegment(t, header), alg)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Fatalf("at_hash: %v", err)
			}
			info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var profile struct {
				PreferredUsername string `json:"preferred_username"`
			}
			_ = info.Claims(&profile)
			if info.Subject != u.ID || profile.PreferredUsername != "alice" {
				t.Fatalf("userinfo: %+v %+v", info, profile)
			}
			if alg != "EdDSA" {
				return
			}
			// RP-initiated logout with the id_token as hint: a confirmation, then back to the relying party.
			var doc struct {
				EndSession string `json:"end_session_endpoint"`
			}
			if err := provider.Claims(&doc); err != nil || doc.EndSession == "" {
				t.Fatalf("end_session_endpoint: %v %q", err, doc.EndSession)
			}
			logout := doc.EndSession + "?" + url.Values{"id_token_hint": {raw}, "state": {"bye"},
				"post_logout_redirect_uri": {cb.URL + "?logged-out"}}.Encode()
			err = chromedp.Do(bctx,
				chromedp.Navigate(logout),
				chromedp.WaitVisible(chromedp.CSS(`form button[type="submit"]`)),
				chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
			)
			if err != nil {
				t.Fatal(err)
			}
			if q := cb.Wait(t); q.Get("state") != "bye" || !q.Has("logged-out") {
				t.Fatalf("after logout: %v", q)
			}
			landed(t, bctx)
			// The session is gone: the next authorization asks for the password.
			err = chromedp.Do(bctx,
				chromedp.Navigate(cfg.AuthCodeURL("st2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))),
				chromedp.WaitVisible(chromedp.CSS(`input[name="password"]`)),
			)
			if err != nil {
				t.Fatalf("still signed in after logout: %v", err)
			}
		})
	}
}
