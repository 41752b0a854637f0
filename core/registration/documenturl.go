package registration

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxDocumentURLLen bounds a client_id URL: it travels in every authorization request, in cookies of the flow and in
// the store's grants, and a document URL has no reason to be long.
const MaxDocumentURLLen = 2048

// looksLikeDocumentURL reports whether a client_id is meant as a metadata document URL: it starts with an http or
// https scheme (in any case). Such an id is checked with CheckDocumentURL, so that an http or malformed one is
// refused with a reason rather than being just unknown.
func looksLikeDocumentURL(id string) bool {
	l := strings.ToLower(id)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// CheckDocumentURL checks a client_id URL against draft-ietf-oauth-client-id-metadata-document-02 §3 (Client
// Identifier URL): the https scheme, a host, a path component, no single-dot or double-dot path segment, no
// fragment, no username or password. A query is allowed (the draft discourages it, SHOULD NOT) and so is a port.
// The error says what is wrong without quoting the URL. The fetcher (core/cimd) requires https on its own, as a
// transport rule; these are the identifier's rules.
func CheckDocumentURL(raw string) (*url.URL, error) {
	if len(raw) > MaxDocumentURLLen {
		return nil, fmt.Errorf("the client_id URL is over %d bytes", MaxDocumentURLLen)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("the client_id is not a valid URL")
	// §3: MUST have an "https" scheme. The scheme is compared as written: the document's client_id must equal
	// the URL by simple string comparison (§4), so a client writes it in lower case.
	case u.Scheme != "https" || !strings.HasPrefix(raw, "https://"):
		return nil, errors.New("a client_id URL must use the https scheme")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return nil, errors.New("the client_id URL has no host")
	// §3: MUST NOT contain a username or password component.
	case u.User != nil:
		return nil, errors.New("the client_id URL must not contain a username or password")
	// §3: MUST NOT contain a fragment component.
	case strings.Contains(raw, "#"):
		return nil, errors.New("the client_id URL must not contain a fragment")
	// §3: MUST contain a path component.
	case u.EscapedPath() == "" || u.EscapedPath() == "/":
		return nil, errors.New("the client_id URL must have a path (the document's own, not the site's root)")
	case strings.ContainsAny(raw, " \t\r\n\\"):
		return nil, errors.New("the client_id URL contains a space or a backslash")
	}
	// §3: MUST NOT contain single-dot or double-dot path segments, as written or percent-encoded (both would
	// make the URL the server fetches differ from the one the client names).
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if s := strings.ToLower(seg); s == "." || s == ".." || s == "%2e" || s == "%2e%2e" || s == ".%2e" || s == "%2e." {
			return nil, errors.New("the client_id URL must not contain . or .. path segments")
		}
	}
	return u, nil
}
