package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// isLoopbackHost reports whether host (no port, no brackets) is loopback: "localhost", 127.0.0.0/8 or ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// parseIssuer checks an issuer (docs/architecture.md §2, §5): an absolute http(s) URL without userinfo, query or
// fragment, whose path is empty or "/" (path-prefixed issuers are out of scope), and https unless loopback or
// allowInsecure. It returns the URL with the trailing slash stripped.
func parseIssuer(raw string, allowInsecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", raw)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Hostname() == "":
		return nil, fmt.Errorf("%q must be an absolute http(s) URL", raw)
	case u.User != nil:
		return nil, errors.New("must not contain userinfo")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, errors.New("must not have a query")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, errors.New("must not have a fragment")
	case u.Path != "" && u.Path != "/":
		return nil, fmt.Errorf("must not have a path (%q): path-prefixed issuers are not supported", u.Path)
	}
	if err := checkPort(u.Port()); err != nil {
		return nil, err
	}
	if u.Scheme == "http" && !allowInsecure && !isLoopbackHost(u.Hostname()) {
		return nil, errors.New("must be https unless allow_insecure_issuer is set (http is fine for loopback: " +
			"127.0.0.1, ::1, localhost)")
	}
	u.Path, u.RawPath = "", ""
	return u, nil
}

// checkPort accepts "" or a decimal port 1–65535.
func checkPort(p string) error {
	if p == "" {
		return nil
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("invalid port %q", p)
	}
	return nil
}

// hostKey is the routing form of a host: lower-case, with the port unless it is the scheme's default, IPv6 in
// brackets, the way a Host header carries it.
func hostKey(scheme, host, port string) string {
	host = strings.ToLower(host)
	if port == "" || (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

var dnsNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// parseHostname checks a hostnames entry ("auth.example.com", "auth.example.com:8443", "[::1]:8080") and
// returns its routing form for an issuer of the given scheme.
func parseHostname(entry, scheme string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(entry))
	bad := errors.New("must be a host name with an optional :port (no scheme or path)")
	if e == "" || strings.ContainsAny(e, "/@?#* \t") {
		return "", bad
	}
	host, port := e, ""
	if h, p, err := net.SplitHostPort(e); err == nil {
		host, port = h, p
	} else if strings.HasPrefix(e, "[") && strings.HasSuffix(e, "]") {
		host = e[1 : len(e)-1]
	}
	if err := checkPort(port); err != nil {
		return "", err
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is6() && !strings.HasPrefix(e, "[") {
			return "", errors.New("an IPv6 address must be in brackets: [::1]")
		}
	} else if !dnsNameRE.MatchString(host) {
		return "", bad
	}
	return hostKey(scheme, host, port), nil
}

// parseOrigin checks a CORS origin (scheme://host[:port], nothing after) and returns it in the form browsers
// send: lower-case, without a default port.
func parseOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Hostname() == "" {
		return "", errors.New(`must be an origin, scheme://host[:port], or "*"`)
	}
	if u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return "", errors.New("must be an origin, scheme://host[:port], with no path (not even /), query or fragment")
	}
	if err := checkPort(u.Port()); err != nil {
		return "", err
	}
	return strings.ToLower(u.Scheme) + "://" + hostKey(u.Scheme, u.Hostname(), u.Port()), nil
}

// checkAbsoluteURI accepts an absolute URI without a fragment (redirect URIs, RFC 6749 §3.1.2); http(s) ones
// need a host. Private-use schemes (com.example.app:/cb) are fine.
func checkAbsoluteURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs():
		return errors.New("must be an absolute URI")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("must not have a fragment (RFC 6749 §3.1.2)")
	case (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() == "":
		return errors.New("must have a host")
	}
	return nil
}

// checkPageURL accepts an https URL, or http on loopback (terms_url, policy_url: shown to users).
func checkPageURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("must be an absolute https URL")
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return errors.New("must be https (http only on loopback)")
	}
	return nil
}

// checkListen accepts host:port with a numeric port (0 picks a free port); the host may be empty (all
// interfaces).
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q must be host:port, such as 127.0.0.1:8080 or :8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid port %q", port)
	}
	return nil
}

// checkProxy accepts an IP address or a CIDR prefix.
func checkProxy(s string) error {
	if _, err := netip.ParseAddr(s); err == nil {
		return nil
	}
	if _, err := netip.ParsePrefix(s); err == nil {
		return nil
	}
	return fmt.Errorf("%q must be an IP address or a CIDR prefix such as 10.0.0.0/8", s)
}
