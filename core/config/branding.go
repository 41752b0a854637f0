package config

import (
	"errors"
	"io/fs"
	"net"
	"net/url"
	"strings"
)

// branding resolves the logo to a URL path under /static/ and checks the support link like terms_url.
func (b *hostBuilder) branding(br Branding, hs *HostSettings) {
	if br.Logo != "" {
		logo, err := staticPath(br.Logo)
		if err != nil {
			b.errorf("branding.logo", "%q %v", br.Logo, err)
		}
		hs.Logo = logo
	}
	if br.SupportURL != "" {
		if err := checkPageURL(br.SupportURL); err != nil {
			b.errorf("branding.support_url", "%q %v", br.SupportURL, err)
		}
		hs.SupportURL = br.SupportURL
	}
}

// staticPath turns a theme static file ("img/logo.svg", or "/static/img/logo.svg") into its URL path. Other
// origins are refused: the pages' CSP loads images from the server itself only.
func staticPath(raw string) (string, error) {
	name := strings.TrimPrefix(strings.TrimPrefix(raw, "/static/"), "static/")
	u, err := url.Parse(name)
	switch {
	case err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(name, "/") || u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("must be a file of the theme's static/ directory, such as img/logo.svg (pages load nothing from other sites)")
	case !fs.ValidPath(name) || name == ".":
		return "", errors.New("must be a clean relative path inside static/, without .. or empty segments")
	}
	return "/static/" + name, nil
}

// hostWithoutPort strips the port of a host key ("id.example.com:8443" → "id.example.com", "[::1]:8080" → "[::1]").
func hostWithoutPort(key string) string {
	if h, _, err := net.SplitHostPort(key); err == nil {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return key
}

// siteName is the default site_name: the issuer's host name, unless it is an IP address and the host answers for
// a name too (hostnames), which then reads better on every page.
func siteName(issuerHost string, hostnames []string) string {
	if net.ParseIP(strings.Trim(issuerHost, "[]")) == nil || len(hostnames) < 2 {
		return issuerHost
	}
	for _, n := range hostnames[1:] {
		if name := hostWithoutPort(n); net.ParseIP(strings.Trim(name, "[]")) == nil {
			return name
		}
	}
	return issuerHost
}
