package config

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// hostBuilder turns one merged Host into HostSettings, reporting each problem at the key path where the
// offending value was written (the host's entry or the top level it inherited from).
type hostBuilder struct {
	r             *report
	o             origins
	prefix        string // "hosts[1]." ("" for the single host)
	label         string // "hosts[1]" ("" for the single host)
	env           map[string]string
	allowInsecure bool
}

// path is the full key path of key for this host.
func (b *hostBuilder) path(key string) string { return b.o.prefixFor(key, b.prefix) + key }

// inheritedBy names this host when key's value came from the top level of a multi-host file.
func (b *hostBuilder) inheritedBy(key string) string {
	if b.label == "" || b.o.prefixFor(key, b.prefix) == b.prefix {
		return ""
	}
	return b.label
}

// errorf reports a problem with key, unless its value could not even be decoded (already reported).
func (b *hostBuilder) errorf(key, format string, args ...any) {
	if p := b.path(key); !b.r.isBroken(p) {
		b.r.errorf(p, b.inheritedBy(key), fmt.Sprintf(format, args...))
	}
}

// warnf reports a warning about key, unless its value could not even be decoded.
func (b *hostBuilder) warnf(key, format string, args ...any) {
	if p := b.path(key); !b.r.isBroken(p) {
		b.r.warnf(p, b.inheritedBy(key), fmt.Sprintf(format, args...))
	}
}

// hostIDRE is the shape of a host id: it prefixes every store key, so it is short and unambiguous.
var hostIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// build validates h and applies every default.
func (b *hostBuilder) build(h Host) builtHost {
	hs := HostSettings{ID: h.ID}
	// The single host of a file without hosts needs no id; under hosts an empty id is reported by resolve.
	if hs.ID == "" && b.label == "" {
		hs.ID = DefaultHostID
	}
	if hs.ID != "" && !hostIDRE.MatchString(hs.ID) {
		b.errorf("id", "%q must be 1–32 lower-case letters, digits or dashes, starting with a letter or digit", hs.ID)
	}
	bh := builtHost{b: b}
	b.identity(h, &hs, &bh)
	b.pages(h, &hs)
	b.hsts(h, &hs)
	b.tokens(h, &hs)
	b.registration(h, &hs)
	b.cimd(h, &hs)
	b.protocol(h, &hs)
	b.dpop(h, &hs)
	b.roles(h, &hs)
	b.scopes(h, &hs)
	b.resources(h, &hs)
	b.clients(h, &hs)
	b.argon2(h, &hs)
	b.passwordPolicy(h, &hs)
	b.rateLimits(h, &hs)
	b.policies(h, &hs)
	b.audit(h, &hs)
	bh.HostSettings = hs
	return bh
}

// identity resolves issuer, hostnames and site name. The issuer's own host is always among the hostnames
// (first); `hostnames` adds the other names the host answers for.
func (b *hostBuilder) identity(h Host, hs *HostSettings, bh *builtHost) {
	raw := orDefault(h.Issuer, DefaultIssuer)
	u, err := parseIssuer(raw, b.allowInsecure)
	if err != nil {
		b.errorf("issuer", "%v", err)
	}
	// Hostnames are normalised against the issuer's scheme, whose default port they then omit.
	scheme := "https"
	if u != nil {
		scheme = u.Scheme
		hs.IssuerURL = u
		hs.Issuer = u.String()
		hs.Hostnames = append(hs.Hostnames, hostKey(u.Scheme, u.Hostname(), u.Port()))
		bh.nameKeys = append(bh.nameKeys, "issuer")
		hs.SiteName = u.Hostname()
	}
	listed := map[string]bool{}
	for i, e := range h.Hostnames {
		key := fmt.Sprintf("hostnames[%d]", i)
		n, err := parseHostname(e, scheme)
		switch {
		case err != nil:
			b.errorf(key, "%q %v", e, err)
		case listed[n]:
			b.errorf(key, "%q is listed twice", n)
		case slices.Contains(hs.Hostnames, n):
			listed[n] = true // the issuer's own host, listed for clarity
		default:
			listed[n] = true
			hs.Hostnames = append(hs.Hostnames, n)
			bh.nameKeys = append(bh.nameKeys, key)
		}
	}
	hs.SiteName = siteName(hs.SiteName, hs.Hostnames)
	if h.SiteName != "" {
		hs.SiteName = h.SiteName
	}
	hs.Theme = h.Theme
}

// pages resolves what the browser pages need: CSP, links, logos and CORS.
func (b *hostBuilder) pages(h Host, hs *HostSettings) {
	hs.SecurityPolicy = orDefault(h.SecurityPolicy, DefaultSecurityPolicy)
	// A line break in a header value would let the config inject headers (or break the response).
	if strings.ContainsAny(hs.SecurityPolicy, "\r\n\x00") {
		b.errorf("security_policy", "must be a single line (it is sent as a header)")
	}
	hs.UsernameIsFullID = boolOr(h.UsernameIsFullID, false)
	hs.ShowClientLogos = boolOr(h.ShowClientLogos, false)
	hs.TermsURL, hs.PolicyURL, hs.ServiceDocumentation = h.TermsURL, h.PolicyURL, h.ServiceDocumentation
	for _, kv := range [][2]string{{"terms_url", h.TermsURL}, {"policy_url", h.PolicyURL}, {"service_documentation", h.ServiceDocumentation}} {
		if kv[1] == "" {
			continue
		}
		if err := checkPageURL(kv[1]); err != nil {
			b.errorf(kv[0], "%q %v", kv[1], err)
		}
	}
	b.branding(h.Branding, hs)
	for i, o := range h.CORSOrigins {
		key := fmt.Sprintf("cors_origins[%d]", i)
		// "*" beside real origins would be a mistake either way: the wildcard already allows them.
		if o == "*" {
			if len(h.CORSOrigins) > 1 {
				b.errorf(key, `"*" allows every origin and must be the only entry`)
			}
			hs.CORSOrigins = append(hs.CORSOrigins, o)
			continue
		}
		n, err := parseOrigin(o)
		switch {
		case err != nil:
			b.errorf(key, "%q %v", o, err)
		case slices.Contains(hs.CORSOrigins, n):
			b.errorf(key, "%q is listed twice", n)
		default:
			hs.CORSOrigins = append(hs.CORSOrigins, n)
		}
	}
}

// hsts resolves the Strict-Transport-Security max-age. It is resolved for every host; whether it is sent (https
// issuer, request over TLS) is the HTTP layer's decision.
func (b *hostBuilder) hsts(h Host, hs *HostSettings) {
	secs := int64(DefaultHSTSMaxAge / time.Second)
	if h.HSTS != nil && h.HSTS.MaxAge != nil {
		secs = *h.HSTS.MaxAge
	}
	// RFC 6797 §6.1.1: max-age is delta-seconds, a non-negative integer; 0 is the way to say "forget me" and here
	// switches the header off.
	// RFC 9111 §1.2.2 has recipients treat a delta-seconds beyond 2^31 as 2^31 (68 years); a larger value is a
	// typo, and would overflow the duration.
	switch {
	case secs < 0:
		b.errorf("hsts.max_age", "must not be negative (0 switches the header off), got %d", secs)
		return
	case secs > math.MaxInt32:
		b.errorf("hsts.max_age", "must be at most %d seconds, got %d", math.MaxInt32, secs)
		return
	}
	hs.HSTSMaxAge = time.Duration(secs) * time.Second
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}
