package oauth

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// OOBRedirect is the out-of-band redirect of native clients (the code is shown to the user); kept for
// mod_http_oauth2 compatibility.
const OOBRedirect = "urn:ietf:wg:oauth:2.0:oob"

// MatchRedirectURI picks the redirect URI of an authorization request (RFC 6749 §3.1.2.3): without one, the
// client must have exactly one registered; with one, it must equal a registered URI exactly (RFC 9700 §2.1),
// except that a loopback http URI matches a registered one on any port (RFC 8252 §7.3). It returns the URI to
// redirect to.
func MatchRedirectURI(registered []string, requested string) (string, bool) {
	if requested == "" {
		if len(registered) == 1 {
			return registered[0], true
		}
		return "", false
	}
	for _, r := range registered {
		if r == requested {
			return requested, true
		}
	}
	req, ok := loopbackKey(requested)
	if !ok {
		return "", false
	}
	for _, r := range registered {
		if k, ok := loopbackKey(r); ok && k == req {
			return requested, true
		}
	}
	return "", false
}

// loopbackKey is a loopback http URI without its port, for comparison; ok is false for any other URI.
func loopbackKey(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" {
		return "", false
	}
	if !IsLoopbackHost(u.Hostname()) {
		return "", false
	}
	u.Host = strings.ToLower(u.Hostname())
	if strings.Contains(u.Host, ":") {
		u.Host = "[" + u.Host + "]"
	}
	return u.String(), true
}

// IsLoopbackHost reports whether host is 127.0.0.0/8, ::1 or localhost.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsExactHTTPS reports whether a redirect URI is an https URI on a named host: one whose owner the server can
// rely on. Loopback, private-use scheme and OOB redirects can be claimed by any app on the device, so consent is
// never remembered for them (RFC 8252 §8.6).
func IsExactHTTPS(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.Host != "" && !IsLoopbackHost(u.Hostname())
}

// AddQuery appends parameters to a redirect URI, keeping its query (RFC 6749 §4.1.2: the redirect URI "MAY
// include a query component, which MUST be retained").
func AddQuery(raw string, params url.Values) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				q.Add(k, v)
			}
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// WithFragment puts parameters in a redirect URI's fragment (RFC 6749 §4.2.2, §4.2.2.1: the implicit grant's
// answers, which the browser keeps from the server it is sent to). Empty values are left out. A registered
// redirect URI has no fragment of its own (RFC 6749 §3.1.2).
func WithFragment(raw string, params url.Values) string {
	out := url.Values{}
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	return raw + "#" + out.Encode()
}

// itoa formats a number of seconds.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
