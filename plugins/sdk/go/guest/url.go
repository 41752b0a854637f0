package guest

import "strconv"

// URL is a URI split into the parts a rule looks at (docs/policy-abi.md "Lua binding", assentry.url.parse: the
// same rules in every SDK). A part the URI does not have is empty; Port is 0 when there is none.
type URL struct {
	Scheme   string // lower-cased
	Userinfo string // before the last '@' of the authority
	Host     string // lower-cased; an IPv6 literal without its brackets
	Port     int
	Path     string
	Query    string // without '?'
	Fragment string // without '#'
}

// URLError is why ParseURL refused a string.
type URLError struct{ Reason string }

func (e *URLError) Error() string { return "url.parse: " + e.Reason }

// maxURLBytes bounds what ParseURL looks at.
const maxURLBytes = 8 << 10

// ParseURL splits s by RFC 3986 Appendix B (scheme ":" "//" authority path "?" query "#" fragment), then the
// authority (§3.2: userinfo "@" host ":" port), as the Lua binding's assentry.url.parse does: the userinfo is split
// off, so "https://example.com@evil.test/" has the host evil.test. A string with a space or a control character,
// an invalid scheme, an unclosed '[', an empty host after "//", a port that is not 1 to 65535 or more than 8 KiB
// is refused. Written without the strings and net/url packages, which would grow every guest.
func ParseURL(s string) (URL, error) {
	var u URL
	fail := func(reason string) (URL, error) { return URL{}, &URLError{reason} }
	switch {
	case len(s) > maxURLBytes:
		return fail("longer than " + strconv.Itoa(maxURLBytes) + " bytes")
	case s == "":
		return fail("empty")
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return fail("contains a space or a control character")
		}
	}
	rest := s
	if i := indexAny(rest, ":/?#"); i >= 0 && rest[i] == ':' {
		if !validScheme(rest[:i]) {
			return fail("invalid scheme " + strconv.Quote(rest[:i]))
		}
		u.Scheme, rest = lower(rest[:i]), rest[i+1:]
	}
	if i := indexAny(rest, "#"); i >= 0 {
		rest, u.Fragment = rest[:i], rest[i+1:]
	}
	if i := indexAny(rest, "?"); i >= 0 {
		rest, u.Query = rest[:i], rest[i+1:]
	}
	if len(rest) < 2 || rest[:2] != "//" {
		u.Path = rest
		return u, nil
	}
	authority := rest[2:]
	if i := indexAny(authority, "/"); i >= 0 {
		authority, u.Path = authority[:i], authority[i:]
	}
	for i := len(authority) - 1; i >= 0; i-- {
		if authority[i] == '@' {
			u.Userinfo, authority = authority[:i], authority[i+1:]
			break
		}
	}
	port := ""
	if authority != "" && authority[0] == '[' { // an IP literal (§3.2.2)
		end := indexAny(authority, "]")
		if end < 0 {
			return fail("missing ']' in host")
		}
		u.Host, authority = authority[1:end], authority[end+1:]
		if authority != "" && authority[0] != ':' {
			return fail("unexpected " + strconv.Quote(authority) + " after the host")
		}
		if authority != "" {
			port = authority[1:]
		}
	} else {
		u.Host = authority
		if i := indexAny(authority, ":"); i >= 0 {
			u.Host, port = authority[:i], authority[i+1:]
		}
	}
	u.Host = lower(u.Host)
	if u.Host == "" {
		return fail("empty host")
	}
	if port != "" { // §3.2.3: an empty port is as if there were none
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '-' {
			return fail("invalid port " + strconv.Quote(port))
		}
		u.Port = n
	}
	return u, nil
}

// indexAny is the index of the first byte of s that is one of chars (all ASCII), or -1.
func indexAny(s, chars string) int {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return i
			}
		}
	}
	return -1
}

// lower lower-cases ASCII letters.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// validScheme reports whether s is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1).
func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}
