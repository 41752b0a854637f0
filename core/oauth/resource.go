package oauth

import (
	"net/url"
	"slices"
	"strings"

	"github.com/assentry/assentry/store"
)

// ParamResource is the resource indicator parameter of authorization and token requests (RFC 8707 §2).
const ParamResource = "resource"

// Access token formats, per client (store.Client.AccessTokenFormat) or per resource (Resource.AccessTokenFormat).
const (
	FormatOpaque = "opaque"
	FormatJWT    = "jwt" // RFC 9068
)

// Resource is a protected resource the host issues tokens for (RFC 8707): its indicator, and the format of the
// access tokens whose audience it is.
type Resource struct {
	URI string
	// AccessTokenFormat is FormatJWT for RFC 9068 JWT access tokens; empty or FormatOpaque: the client's format.
	AccessTokenFormat string
	// Default: the audience of a JWT access token whose request names no resource (formatFor).
	Default bool
}

// ParseResources checks resource indicators (RFC 8707 §2): each an absolute URI without a fragment, else
// invalid_target. Repeats are dropped; nil stays nil (no resource requested).
func ParseResources(values []string) ([]string, *Error) {
	if values == nil {
		return nil, nil
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		u, err := url.Parse(v)
		switch {
		case v == "":
			return nil, InvalidTarget("a resource parameter is empty")
		case err != nil || !u.IsAbs() || u.Opaque == "" && u.Host == "" && u.Path == "" || !uriChars(v):
			return nil, InvalidTarget("a resource must be an absolute URI (RFC 8707 section 2)")
		// url.Parse drops an empty fragment ("https://rs/#"): the '#' is what counts.
		case strings.Contains(v, "#"):
			return nil, InvalidTarget("a resource must not include a fragment (RFC 8707 section 2)")
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// uriChars reports whether s has only characters a URI may hold (RFC 3986 §2: printable ASCII, without space and
// "<>\^`{|}); url.Parse lets a space or a non-ASCII character through in a path.
func uriChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			return false
		}
	}
	return true
}

// allowedResources are the resources a client may ask for: its own list when it has one, else the host's.
func (p *Provider) allowedResources(client *store.Client) []string {
	if len(client.Resources) > 0 {
		return client.Resources
	}
	out := make([]string, len(p.Settings.Resources))
	for i, r := range p.Settings.Resources {
		out[i] = r.URI
	}
	return out
}

// checkResources parses the resource parameters of a request and checks each against what the client may ask
// for: a resource the host does not know, or the client may not use, is invalid_target (RFC 8707 §2).
func (p *Provider) checkResources(client *store.Client, values []string) ([]string, *Error) {
	res, e := ParseResources(values)
	if e != nil || res == nil {
		return res, e
	}
	allowed := p.allowedResources(client)
	for _, r := range res {
		if !slices.Contains(allowed, r) {
			return nil, InvalidTarget("the resource is not known to this server or not allowed for this client")
		}
	}
	return res, nil
}

// tokenResources decides the resources of a token request (RFC 8707 §2.2). requested are the checked resource
// parameters, granted the grant's resources (nil for a grant that names none, or a new one). A request within a
// grant's resources narrows to them, one outside is invalid_target; without resource parameters the token is
// for all of the grant's. A grant that names none takes any resource the client may ask for (checkResources).
func tokenResources(requested, granted []string) ([]string, *Error) {
	if requested == nil {
		return granted, nil
	}
	if len(granted) > 0 {
		for _, r := range requested {
			if !slices.Contains(granted, r) {
				return nil, InvalidTarget("the resource was not granted by the authorization")
			}
		}
	}
	return requested, nil
}
