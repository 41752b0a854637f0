package interaction

import (
	"net/url"
	"strings"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes"
)

// What the pages show of a client, and where they may send the user to reach it. A client's name and client_uri
// are words it chose; the pages pair the name with a host the user can check, and that host is the same on every
// page (consent, account), from one function, so that the pages cannot disagree about who a client is.

// PageClient is what a page shows of a client. Origin is ClientOrigin without a redirect URI to fall back to
// (the consent page adds the request's); URI, the link to the client's site, only when the server can vouch for
// it: any client_uri of a client the operator made, ClientHome for an untrusted one.
func PageClient(c *store.Client) *themes.Client {
	if c == nil {
		return nil
	}
	pc := &themes.Client{ID: c.ID, Name: c.Name, URI: c.ClientURI, LogoURI: c.LogoURI, TOSURI: c.TOSURI,
		PolicyURI: c.PolicyURI, Untrusted: c.Untrusted, Origin: ClientOrigin(c)}
	if c.Untrusted || c.MetadataDocument {
		pc.URI = ClientHome(c)
	}
	return pc
}

// ClientOrigin is the host the pages show beside a client's name, lower-cased, "" when there is none:
//   - for a client identified by its metadata document, the host of its client_id URL, and nothing else: that
//     host is what the server verified (it fetched the document there), while its client_uri and redirect URIs
//     are what the document says (draft-ietf-oauth-client-id-metadata-document-02 §8: show the client_id's
//     host to the user);
//   - for any other client, the host of its client_uri, else of the first web (http or https) URI of redirects:
//     where the code of this request goes on the consent page, its registered redirect URIs on the account page.
//     A native app's custom scheme says nothing about who runs it. For a client that registered itself the
//     client_uri is what the registration rules accepted (a web client's redirect URIs must be on its host); the
//     consent page shows such a client's redirect host beside it, and ClientHome links it only when the codes go
//     there.
func ClientOrigin(c *store.Client, redirects ...string) string {
	if c.MetadataDocument {
		return webHost(c.ID)
	}
	for _, raw := range append([]string{c.ClientURI}, redirects...) {
		if h := webHost(raw); h != "" {
			return h
		}
	}
	return ""
}

// redirectsOn tells whether one of c's registered redirect URIs is a web URL on host.
func redirectsOn(c *store.Client, host string) bool {
	for _, r := range c.RedirectURIs {
		if webHost(r) == host {
			return true
		}
	}
	return false
}

// ClientHome is the client's site as a page may link it, "" when there is none it can vouch for: its
// client_uri when that is https and, for a client identified by its metadata document, on the host of its
// client_id URL (ClientOrigin); for another untrusted client (one that registered itself), on a host one of its
// registered redirect URIs is on, where its codes go: a native client's client_uri could name any site, and with
// the built-in registration rules off nothing checks even a web client's. It is where the error page sends the
// user back when the request's redirect URI cannot be used (RFC 6749 §4.1.2.1: never redirect to an unverified
// redirect URI), and the link on the client's name.
func ClientHome(c *store.Client) string {
	u, err := url.Parse(c.ClientURI)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Host)
	switch {
	case c.MetadataDocument && host != webHost(c.ID):
		return ""
	case !c.MetadataDocument && c.Untrusted && !redirectsOn(c, host):
		return ""
	}
	return c.ClientURI
}

// webHost is the lower-cased host (with its port) of an http or https URL; "" for anything else.
func webHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Host)
}
