package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/oauth"
	"golang.org/x/oauth2"
)

// What the consent, account and error pages show of a client, through the real server: the same verified
// origin on the consent and account pages, the services (RFC 8707 resources) an access is for, and the way back
// from an error page when the request's redirect_uri is not the client's.

// accountBody signs nothing in: it GETs /account in b, which must already hold alice's session.
func accountBody(t *testing.T, b *browser) string {
	t.Helper()
	p := b.get("/account")
	if p.status != http.StatusOK {
		t.Fatalf("account page: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	return p.body
}

// TestAccountOriginOfMetadataDocumentClient: a metadata document whose client_uri names another host (a name the
// client chose, unchecked) is shown on the account page, as on the consent page, as the host of its client_id
// URL, the one the server fetched the document from; the client_uri's host appears on neither.
func TestAccountOriginOfMetadataDocumentClient(t *testing.T) {
	d := newDocHost(t)
	e := newEnv(t, withCIMD(t, d, true), withOriginRule(t, d.URL))
	e.addUser("alice", "correct horse battery")
	id := d.document("/oauth/client.json", func(m map[string]any) {
		m["client_name"], m["client_uri"] = "Your Bank", "https://bank.example.com/"
	})
	host := strings.TrimPrefix(d.URL, "https://")
	b := e.browser()
	p := b.get(authzQuery(id, cimdRedirect, "openid offline_access"))
	consent := b.follow(b.loginAt(b.follow(p), "alice", "correct horse battery"))
	if !strings.Contains(consent.body, `id="client-origin">`+host+`</p>`) || strings.Contains(consent.body, "bank.example.com") {
		t.Fatalf("consent page: want the origin %s and no bank.example.com:\n%s", host, consent.body)
	}
	clientRedirect(t, b.consentAt(consent, "granted", "openid", "offline_access"), cimdRedirect+"?")

	body := accountBody(t, b)
	if !strings.Contains(body, "Your Bank") || !strings.Contains(body, `<span class="muted">(`+host+`)</span>`) {
		t.Errorf("account page: want the application with the origin %s:\n%s", host, body)
	}
	if strings.Contains(body, "bank.example.com") {
		t.Errorf("account page shows the client_uri's host, a name the client chose:\n%s", body)
	}
}

// TestResourcesShown: a request naming resources (RFC 8707) shows them on the consent page, and the account page
// lists them with the application; a request without any shows none.
func TestResourcesShown(t *testing.T) {
	e := newEnv(t, withResources(t))
	e.addUser("alice", "correct horse battery")
	e.tkClient("rp", "rp-secret", oauth.AuthClientSecretBasic, false)
	cfg := rpConfig(e, "rp", "rp-secret")
	b := e.browser()

	plain := b.follow(b.loginAt(b.follow(b.get(authzQuery("rp", rsCallback, "openid"))), "alice", "correct horse battery"))
	if strings.Contains(plain.body, `id="resources"`) {
		t.Errorf("consent without resources shows a list of them:\n%s", plain.body)
	}
	b.consentAt(plain, "denied")

	verifier := oauth2.GenerateVerifier()
	authz := strings.TrimPrefix(cfg.AuthCodeURL("st-123", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("resource", rsAPI)), e.base) + "&resource=" + url.QueryEscape(rsCalendar)
	consent := b.follow(b.get(authz))
	for _, want := range []string{`id="resources"`, "<code>" + rsAPI + "</code>", "<code>" + rsCalendar + "</code>",
		"The access is for these services:"} {
		if !strings.Contains(consent.body, want) {
			t.Fatalf("consent page lacks %s:\n%s", want, consent.body)
		}
	}
	q := clientRedirect(t, b.consentAt(consent, "granted", "openid", "offline_access"), rsCallback+"?")
	if _, err := cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}
	body := accountBody(t, b)
	if !strings.Contains(body, `class="small account-resources">Services: <code>`+rsAPI+`</code>, <code>`+rsCalendar+`</code>`) {
		t.Errorf("account page does not list the application's resources:\n%s", body)
	}
}

// TestErrorPageWayBack: a known client asking with a redirect_uri that is not its own gets an error page (the
// redirect is never followed, RFC 6749 §4.1.2.1) whose way back is the client's own https client_uri; for a
// metadata document client only a client_uri on its client_id URL's host (TestClientHome: the registration rules
// refuse a client_uri on an IP address, and the test documents are served on 127.0.0.1). Anything else offers
// this site's start page, never the redirect_uri.
func TestErrorPageWayBack(t *testing.T) {
	d := newDocHost(t)
	e := newEnv(t, withCIMD(t, d, true), withOriginRule(t, d.URL))
	web, native, untrusted := e.flowClients()
	plainHTTP, _, err := e.clients.Create(context.Background(), oauth.ClientSpec{Name: "Old Site",
		ClientURI: "http://old.example.org/", RedirectURIs: []string{"https://old.example.org/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	otherHost := d.document("/other.json", func(m map[string]any) { m["client_uri"] = "https://bank.example.com/" })
	tests := []struct {
		name, clientID string
		want           string // the href of the way back; "" for this site's start page
	}{
		{"a trusted client's client_uri", web, "https://app.example.com"},
		{"an untrusted client's https client_uri", untrusted, "https://stranger.example.net"},
		{"an http client_uri", plainHTTP.ID, ""},
		{"no client_uri", native, ""},
		{"a metadata document's client_uri on another host", otherHost, ""},
	}
	b := e.browser()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.get(authzQuery(tt.clientID, "https://evil.example/cb", "openid"))
			if p.status != http.StatusBadRequest || p.header.Get("Location") != "" ||
				!strings.Contains(p.body, "not registered for this application") {
				t.Fatalf("want an error page: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
			}
			if strings.Contains(p.body, "evil.example") {
				t.Errorf("the page links the unregistered redirect_uri:\n%s", p.body)
			}
			switch {
			case tt.want == "":
				if !strings.Contains(p.body, `id="error-home"`) || strings.Contains(p.body, `id="error-return"`) {
					t.Errorf("want only the link home:\n%s", p.body)
				}
			case !strings.Contains(p.body, `href="`+tt.want+`" id="error-return"`):
				t.Errorf("want the way back to %s:\n%s", tt.want, p.body)
			}
		})
	}
}
