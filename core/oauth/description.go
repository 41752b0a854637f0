package oauth

import "strings"

// CleanDescription returns s as an error_description may carry it. RFC 6749 §4.1.2.1 and §5.2, and RFC 6750 §3
// for the Bearer challenge, allow only %x20-21 / %x23-5B / %x5D-7E: printable ASCII without the double quote and
// the backslash, which would break out of a quoted-string. A double quote becomes a single one; any other
// character outside the set (a backslash, a control character, DEL, anything non-ASCII or invalid UTF-8) becomes
// a space; runs of spaces are collapsed and the ends trimmed.
//
// It is the last line of defence, applied by every constructor (newErr) and again by every writer (the JSON
// writer of core/httpapi, ErrorLocation, the challenge), so that a description from a policy plugin or one set
// directly on an *Error is still safe to send. Descriptions must not need it: they are written in plain ASCII
// and describe the problem without quoting the request, which could carry markup or a phishing text to the
// client's page.
func CleanDescription(s string) string {
	if descriptionIsClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending: written before the next kept character
	for _, r := range s {
		switch {
		case r == '"':
			r = '\''
		case r == ' ' || !allowedInDescription(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// allowedInDescription reports whether r is one of %x20-21 / %x23-5B / %x5D-7E (RFC 6749 §5.2).
func allowedInDescription(r rune) bool {
	return r >= 0x20 && r <= 0x7e && r != '"' && r != '\\'
}

// descriptionIsClean reports whether s is already what CleanDescription returns, the usual case, which then
// costs no allocation: every byte allowed, no space at either end and no two in a row.
func descriptionIsClean(s string) bool {
	if s != "" && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !allowedInDescription(rune(s[i])) || s[i] == ' ' && i+1 < len(s) && s[i+1] == ' ' {
			return false
		}
	}
	return true
}
