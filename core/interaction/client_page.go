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
// it (ClientHome, or any client_uri of a client the operator or a registration made).
func PageClient(c *store.Client) *themes.Client {
	if c == nil {
		return nil
	}
	pc := &themes.Client{ID: c.ID, Name: c.Name, URI: c.ClientURI, LogoURI: c.LogoURI, TOSURI: c.TOSURI,
		PolicyURI: c.PolicyURI, Untrusted: c.Untrusted, Origin: ClientOrigin(c)}
	if c.MetadataDocument {
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
//     A native app's custom scheme says nothing about who runs it.
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

// ClientHome is the client's site as a page may link it, "" when there is none it can vouch for: its
// client_uri when that is https and, for a client identified by its metadata document, on the host of its
// client_id URL (ClientOrigin). It is where the error page sends the user back when the request's redirect URI
// cannot be used (RFC 6749 §4.1.2.1: never redirect to an unverified redirect URI).
func ClientHome(c *store.Client) string {
	u, err := url.Parse(c.ClientURI)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return ""
	}
	if c.MetadataDocument && !strings.EqualFold(u.Host, webHost(c.ID)) {
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
