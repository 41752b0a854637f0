package oauth

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Params are the parameters of one request, each at most once: RFC 6749 §3.1 and §3.2 forbid repeating a
// request parameter. Empty values are treated as absent (RFC 6749 §3.1).
type Params map[string]string

// ParseParams checks a decoded query or form (as url.Values) for repeated parameters and flattens it.
// Repeats of the names in multi (the consent form's scope checkboxes) are joined with a space instead. A
// repeated parameter is invalid_request whose Field names it; the description does not, since the name is
// whatever the client sent.
//
// resource is the one protocol parameter that may be repeated (RFC 8707 §2: one per target). Its values are
// kept each query-escaped and joined with spaces, which no escaped value contains, so Resources gets them back
// exactly as sent; nothing else reads Params[ParamResource].
func ParseParams(values map[string][]string, multi ...string) (Params, *Error) {
	p := make(Params, len(values))
	for k, vs := range values {
		if !cleanText(k) || slices.ContainsFunc(vs, func(v string) bool { return !cleanText(v) }) {
			// RFC 6749 Appendix A: every parameter is printable text; a NUL or bytes that are not UTF-8 are
			// nothing a client means, and no store could keep them as they came.
			return nil, InvalidRequest("a request parameter is not valid UTF-8 or contains a NUL character (RFC 6749 Appendix A)")
		}
		if k == ParamResource {
			esc := make([]string, len(vs))
			for i, v := range vs {
				esc[i] = url.QueryEscape(v)
			}
			p[k] = strings.Join(esc, " ")
			continue
		}
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

// Resources returns the resource parameters of the request in the order sent (RFC 8707 §2), unchecked
// (ParseResources checks them); nil when there is none.
func (p Params) Resources() []string {
	joined, ok := p[ParamResource]
	if !ok {
		return nil
	}
	parts := strings.Split(joined, " ")
	out := make([]string, len(parts))
	for i, e := range parts {
		v, err := url.QueryUnescape(e)
		if err != nil { // not what ParseParams wrote: keep it, ParseResources refuses it
			v = e
		}
		out[i] = v
	}
	return out
}

// cleanText reports whether s is valid UTF-8 without a NUL character: what any parameter must be before it is
// looked at, compared or stored.
func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
