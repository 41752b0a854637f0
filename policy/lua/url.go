package lua

import (
	"strconv"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// maxURLBytes bounds what url.parse looks at: a URL that long is not one a rule should accept.
const maxURLBytes = 8 << 10

// urlParse is assentry.url.parse(s): a table {scheme, userinfo, host, port, path, query, fragment} of an
// RFC 3986 URI, or nil and a message when s is not one. Members that are absent from s are nil; scheme and host
// are lower-cased (RFC 3986 §3.1, §3.2.2: case-insensitive), an IPv6 literal is given without its brackets, and
// port is a number. The userinfo (RFC 3986 §3.2.1) is split off, so "https://example.com@evil.test/" has the
// host evil.test.
func urlParse(L *glua.LState) int {
	str, ok := L.Get(1).(glua.LString)
	if !ok {
		L.Push(glua.LNil)
		L.Push(glua.LString("url.parse: want a string, got " + L.Get(1).Type().String()))
		return 2
	}
	u, err := parseURL(string(str))
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString("url.parse: " + err.Error()))
		return 2
	}
	t := L.CreateTable(0, 7)
	set := func(k, v string) {
		if v != "" {
			t.RawSetString(k, glua.LString(v))
		}
	}
	set("scheme", u.Scheme)
	set("userinfo", u.Userinfo)
	set("host", u.Host)
	if u.Port > 0 {
		t.RawSetString("port", glua.LNumber(u.Port))
	}
	set("path", u.Path)
	set("query", u.Query)
	set("fragment", u.Fragment)
	L.Push(t)
	return 1
}

// parsedURL is a URI split into the parts rules look at; Port is 0 when the URI has none.
type parsedURL struct {
	Scheme, Userinfo, Host string
	Port                   int
	Path, Query, Fragment  string
}

// errURL is a url.parse refusal.
type errURL string

func (e errURL) Error() string { return string(e) }

// parseURL splits s by RFC 3986 Appendix B (scheme ":" "//" authority path "?" query "#" fragment) and then the
// authority (§3.2: userinfo "@" host ":" port). It is written out rather than taken from net/url so that the
// Go and AssemblyScript SDKs (guest.ParseURL, parseURL) can follow it step by step and give the same answers,
// which the conformance suite's url_parse scenario checks.
func parseURL(s string) (parsedURL, error) {
	var u parsedURL
	switch {
	case len(s) > maxURLBytes:
		return u, errURL("longer than " + strconv.Itoa(maxURLBytes) + " bytes")
	case s == "":
		return u, errURL("empty")
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return u, errURL("contains a space or a control character")
	}
	rest := s
	if i := strings.IndexAny(rest, ":/?#"); i >= 0 && rest[i] == ':' {
		if !validScheme(rest[:i]) {
			return u, errURL("invalid scheme " + strconv.Quote(rest[:i]))
		}
		u.Scheme, rest = asciiLower(rest[:i]), rest[i+1:]
	}
	rest, u.Fragment, _ = strings.Cut(rest, "#")
	rest, u.Query, _ = strings.Cut(rest, "?")
	if !strings.HasPrefix(rest, "//") {
		u.Path = rest
		return u, nil
	}
	authority := rest[2:]
	if i := strings.IndexByte(authority, '/'); i >= 0 {
		authority, u.Path = authority[:i], authority[i:]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		u.Userinfo, authority = authority[:i], authority[i+1:]
	}
	port := ""
	if strings.HasPrefix(authority, "[") { // an IP literal (§3.2.2)
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return u, errURL("missing ']' in host")
		}
		u.Host, authority = authority[1:end], authority[end+1:]
		if authority != "" && authority[0] != ':' {
			return u, errURL("unexpected " + strconv.Quote(authority) + " after the host")
		}
		port = strings.TrimPrefix(authority, ":")
	} else {
		u.Host, port, _ = strings.Cut(authority, ":")
	}
	u.Host = asciiLower(u.Host)
	if u.Host == "" {
		return u, errURL("empty host")
	}
	if port != "" { // §3.2.3: an empty port is as if there were none
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '-' {
			return u, errURL("invalid port " + strconv.Quote(port))
		}
		u.Port = n
	}
	return u, nil
}

// asciiLower lower-cases ASCII letters only, as the SDKs do (a host is compared in its ASCII form, RFC 3986
// §3.2.2).
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// validScheme reports whether s is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1).
func validScheme(s string) bool {
	for i, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}
