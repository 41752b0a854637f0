package registration

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/assentry/assentry/core/oauth"
)

// The URI rules of registration (docs/architecture.md §9, as mod_http_oauth2's redirect_uri_allowed and
// strict_url_parse). Their errors say what is wrong with a URI without quoting it (RFC 6749 §5.2 keeps quotes
// out of error_description, and the request's own text has no business in the answer); the caller names the
// member, and the URI's index in a list.

// nativeLoopbacks are the loopback hosts a native client may redirect to over http, on any port (RFC 8252 §7.3;
// exactly mod_http_oauth2's set).
var nativeLoopbacks = []string{"127.0.0.1", "::1", "localhost"}

// parseStrict parses an absolute URI and refuses what makes URIs ambiguous or deceptive: userinfo (a
// "https://app.example.com@evil.example/" shows one host and goes to another), a port out of range, and a host
// that is not lower-case ASCII (mod_http_oauth2 refuses hosts that nameprep would change; IDNs are registered
// in their punycode form, so the consent page shows the host the browser goes to).
func parseStrict(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return nil, errors.New("is not an absolute URI")
	}
	if u.User != nil {
		return nil, errors.New("must not contain userinfo")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("has an invalid port")
		}
	}
	host := u.Hostname()
	for i := 0; i < len(host); i++ {
		if c := host[i]; c >= 0x80 || c >= 'A' && c <= 'Z' {
			return nil, errors.New("must have a lower-case ASCII host (punycode for international names)")
		}
	}
	return u, nil
}

// checkClientURI: https, a named host that is neither loopback nor an IP literal, no userinfo. It returns the
// parsed URI, whose scheme and host bind the redirect and informative URIs.
func checkClientURI(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("is required (it is shown to users on the consent page)")
	}
	u, err := parseStrict(raw)
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	switch {
	case u.Scheme != "https":
		return nil, errors.New("must be an https URL")
	case host == "":
		return nil, errors.New("has no host")
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return nil, errors.New("must not be a loopback host")
	case net.ParseIP(host) != nil:
		return nil, errors.New("must name its host, not an IP address")
	}
	return u, nil
}

// checkRedirectSyntax is the host's own check of a redirect URI, whatever the policy: no fragment (RFC 6749
// §3.1.2); the out-of-band URN only as a native client's redirect_uri (oob says whether this is one); else an
// absolute URI (parseStrict) that is http or https with a host, or a private-use scheme in reverse-DNS form (RFC
// 8252 §7.1: it contains a dot) — never javascript:, data: or another scheme a browser would run or show inline.
func checkRedirectSyntax(raw, appType string, oob bool) error {
	if strings.Contains(raw, "#") {
		return errors.New("must not contain a fragment (RFC 6749 section 3.1.2)")
	}
	if raw == oauth.OOBRedirect {
		if oob && appType == ApplicationNative {
			return nil
		}
		return errors.New("is the out-of-band URN, only a redirect_uri of a native client")
	}
	u, err := parseStrict(raw)
	if err != nil {
		return err
	}
	switch {
	case u.Scheme == "http" || u.Scheme == "https":
		if u.Hostname() == "" {
			return errors.New("has no host")
		}
	case !strings.Contains(u.Scheme, "."):
		return errors.New("must be an http or https URI, or a private-use scheme in reverse-DNS form such as " +
			"com.example.app:/callback")
	}
	return nil
}

// checkRedirect applies mod_http_oauth2's redirect URI rule of the application type to a URI that passed
// checkRedirectSyntax: web clients redirect to https on the client_uri's host (any port, as mod_http_oauth2
// compares the host only); native clients to a loopback http URI (any port), a private-use scheme in
// reverse-DNS form (RFC 8252 §7.1), or the out-of-band URN.
func checkRedirect(raw, appType string, client *url.URL) error {
	if raw == oauth.OOBRedirect {
		return nil // checkRedirectSyntax admits it only where it belongs
	}
	u, err := parseStrict(raw)
	if err != nil {
		return err
	}
	if appType == ApplicationWeb {
		if u.Scheme != "https" || u.Hostname() != client.Hostname() {
			return errors.New("must be an https URI on the client_uri's host (application_type web)")
		}
		return nil
	}
	if isNativeRedirect(u) {
		return nil
	}
	return errors.New("must be a loopback http URI (127.0.0.1, [::1] or localhost, any port), a private-use " +
		"scheme in reverse-DNS form such as com.example.app:/callback, or " + oauth.OOBRedirect + " (application_type native)")
}

// isNativeRedirect reports whether a parsed URI is a native client's loopback or private-use redirect.
func isNativeRedirect(u *url.URL) bool {
	if u.Scheme == "http" {
		h := u.Hostname()
		for _, l := range nativeLoopbacks {
			if h == l {
				return true
			}
		}
		return false
	}
	return strings.Contains(u.Scheme, ".")
}

// looksNative reports whether a redirect URI would be accepted for a native client: how application_type is
// inferred from the first redirect URI, as mod_http_oauth2 does.
func looksNative(raw string) bool {
	if raw == oauth.OOBRedirect {
		return true
	}
	if strings.Contains(raw, "#") {
		return false
	}
	u, err := parseStrict(raw)
	return err == nil && isNativeRedirect(u)
}

// checkPageURI is the host's own check of client_uri, logo_uri, tos_uri and policy_uri, whatever the policy:
// an absolute http or https URL with a host and no userinfo (parseStrict), since pages link to it.
func checkPageURI(raw string) error {
	u, err := parseStrict(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Hostname() == "" {
		return errors.New("must be an http or https URL with a host")
	}
	return nil
}

// checkInformative: logo_uri, tos_uri and policy_uri use the client_uri's scheme (https) and host, so a
// client cannot put another site's name on the consent page.
func checkInformative(raw string, client *url.URL) error {
	u, err := parseStrict(raw)
	if err != nil {
		return err
	}
	if u.Scheme != client.Scheme || u.Hostname() != client.Hostname() {
		return errors.New("must be on the client_uri's scheme and host")
	}
	return nil
}
