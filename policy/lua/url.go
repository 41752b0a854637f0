package lua

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// maxURLBytes bounds what url.parse looks at: a URL that long is not one a rule should accept.
const maxURLBytes = 8 << 10

// urlParse is assentry.url.parse(s): a table {scheme, host, port, path, query, fragment, userinfo} of an
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

// parseURL splits s with net/url, refusing what net/url lets through but a rule should not see as a URL:
// control characters and spaces, a port over 65535, an empty host after "//".
func parseURL(s string) (parsedURL, error) {
	if len(s) > maxURLBytes {
		return parsedURL{}, errURL("longer than " + strconv.Itoa(maxURLBytes) + " bytes")
	}
	if s == "" {
		return parsedURL{}, errURL("empty")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return parsedURL{}, errURL("contains a space or a control character")
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return parsedURL{}, errURL(ue.Err.Error())
		}
		return parsedURL{}, err
	}
	p := parsedURL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Hostname()), Path: u.EscapedPath(),
		Query: u.RawQuery, Fragment: u.EscapedFragment()}
	if u.Opaque != "" {
		p.Path = u.Opaque // mailto:a@example.com, urn:x:y
	}
	if u.User != nil {
		p.Userinfo = u.User.String()
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return parsedURL{}, errURL("invalid port " + strconv.Quote(port))
		}
		p.Port = n
	}
	if strings.HasPrefix(s[len(u.Scheme):], "://") || strings.HasPrefix(s, "//") {
		if p.Host == "" {
			return parsedURL{}, errURL("empty host")
		}
	}
	return p, nil
}
