package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Access token formats of access_token_format (clients and resources).
const (
	formatOpaque = "opaque"
	formatJWT    = "jwt"
)

// validFormat reports whether f is an access_token_format value; empty means the default.
func validFormat(f string) bool { return f == "" || f == formatOpaque || f == formatJWT }

// checkResourceURI applies RFC 8707 §2 to a configured resource: an absolute URI without a fragment.
func checkResourceURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("must not be empty")
	case err != nil || !u.IsAbs():
		return errors.New("must be an absolute URI (RFC 8707 §2)")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("must not have a fragment (RFC 8707 §2)")
	case strings.IndexFunc(raw, notURIChar) >= 0:
		return errors.New("must hold only the characters of a URI (RFC 3986 §2: no spaces, no non-ASCII)")
	}
	return nil
}

// resources resolves the host's protected resources (RFC 8707): the resource indicators any client without
// its own list may ask for, and the access token format of each.
func (b *hostBuilder) resources(h Host, hs *HostSettings) {
	for i, r := range h.Resources {
		key := fmt.Sprintf("resources[%d]", i)
		if err := checkResourceURI(r.URI); err != nil {
			b.errorf(key+".uri", "%q %v", r.URI, err)
		} else if slices.IndexFunc(h.Resources, func(o Resource) bool { return o.URI == r.URI }) < i {
			b.errorf(key+".uri", "%q is listed twice", r.URI)
		}
		if r.Default && slices.IndexFunc(h.Resources, func(o Resource) bool { return o.Default }) < i {
			b.errorf(key+".default", "only one resource may be the default")
		}
		if !validFormat(r.AccessTokenFormat) {
			b.errorf(key+".access_token_format", "%q must be opaque or jwt", r.AccessTokenFormat)
		}
	}
	hs.Resources = slices.Clone(h.Resources)
}

// notURIChar reports a character no URI holds (RFC 3986 §2): a control, a space, non-ASCII, or one of "<>\^`{|}.
func notURIChar(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune("\"<>\\^`{|}", r) }
