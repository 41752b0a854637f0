package oauth

import (
	"slices"
	"strings"
)

// Params are the parameters of one request, each at most once: RFC 6749 §3.1 and §3.2 forbid repeating a
// request parameter. Empty values are treated as absent (RFC 6749 §3.1).
type Params map[string]string

// ParseParams checks a decoded query or form (as url.Values) for repeated parameters and flattens it.
// Repeats of the names in multi (the consent form's scope checkboxes) are joined with a space instead. A
// repeated parameter is invalid_request whose Field names it; the description does not, since the name is
// whatever the client sent.
func ParseParams(values map[string][]string, multi ...string) (Params, *Error) {
	p := make(Params, len(values))
	for k, vs := range values {
		if len(vs) > 1 && !slices.Contains(multi, k) {
			// The name is the client's too: it goes in Field, for logs and tests, never in the description.
			e := InvalidRequest("a request parameter is repeated (RFC 6749 section 3.1)")
			e.Field = strings.Clone(k)
			return nil, e
		}
		v := strings.Join(vs, " ")
		if v != "" {
			p[k] = strings.Clone(v)
		}
	}
	return p, nil
}
