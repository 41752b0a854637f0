package dpop

import (
	"net"
	"net/url"
	"strings"
)

// normalURL is u as the proof's htu is compared (RFC 9449 §4.3 step 9): without query and fragment, with the
// syntax- and scheme-based normalisations of RFC 3986 §6.2.2 and §6.2.3 (scheme and host in lower case, the
// scheme's default port dropped, an empty path as "/", percent-encodings in upper case and unreserved ones
// decoded). ok is false for anything but an absolute http(s) URL.
func normalURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "https" && scheme != "http") || u.Host == "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	if port := u.Port(); port != "" && !(scheme == "https" && port == "443") && !(scheme == "http" && port == "80") {
		host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	// url.Parse keeps the raw path when it was not in its canonical form; re-encoding the decoded path gives
	// one spelling of each path (upper-case percent-encodings, unreserved characters decoded).
	if p, err := url.PathUnescape(path); err == nil {
		path = (&url.URL{Path: p}).EscapedPath()
	}
	return scheme + "://" + host + path, true
}
