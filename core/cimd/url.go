package cimd

import (
	"net/url"
	"strings"
)

// maxURLLen bounds the URLs fetched; a client_id URL is checked against the draft's rules before it gets here
// (core/registration), this is the fetcher's own bound.
const maxURLLen = 4096

// checkURL is the fetcher's own rule, whatever its caller checked: https with a host, no userinfo (which would be
// sent as credentials). draft-ietf-oauth-client-id-metadata-document-02 §3 has the full rules of client_id URLs.
func checkURL(raw string) error {
	if len(raw) > maxURLLen {
		return errorf("the client_id URL is over %d bytes", maxURLLen)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errorf("the client_id is not a valid URL")
	case u.Scheme != "https" || !strings.HasPrefix(raw, "https://"):
		return errorf("a client_id URL must use the https scheme")
	case u.Hostname() == "":
		return errorf("the client_id URL has no host")
	case u.User != nil:
		return errorf("the client_id URL must not contain a username or password")
	}
	return nil
}
