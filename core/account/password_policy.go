package account

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NIST SP 800-63B-4 §3.1.1.2 bounds for a password used as a single authentication factor.
const (
	// DefaultMinPasswordLength is the minimum length of a password that is the only factor: 15 characters.
	DefaultMinPasswordLength = 15
	// LowestMinPasswordLength is the floor the minimum may be lowered to (§3.1.1.2 allows 8 only for a password
	// used with a second factor, which the configuration warns about).
	LowestMinPasswordLength = 8
	// DefaultMaxPasswordLength is the default maximum. §3.1.1.2 asks that at least 64 characters be allowed;
	// argon2id hashes any length, and a bound keeps one request from making the server normalise megabytes.
	DefaultMaxPasswordLength = 1024
	// LowestMaxPasswordLength is the smallest maximum §3.1.1.2 permits.
	LowestMaxPasswordLength = 64
	// MaxPasswordBytes bounds a new password's UTF-8 encoding whatever MaxLength says: it is the most the login
	// page and the password grant read (their maxCredentialLen), so a password that could be set but never typed
	// in is refused when it is set.
	MaxPasswordBytes = 1024
)

// PasswordPolicy decides whether a new password may be set (NIST SP 800-63B-4 §3.1.1.2): a length in Unicode
// code points between MinLength and MaxLength (and at most MaxPasswordBytes in UTF-8), no composition rules, and a blocklist of the built-in checks
// (repeats, sequences, common passwords, the username, the site name) and the operator's file of compromised
// passwords. It applies when a password is set, never at login: existing passwords keep working.
//
// The password is hashed as given; the policy only measures and compares its NFC form, because §3.1.1.2 counts
// each code point as one character and a composed and a decomposed "é" are the same character to the user.
type PasswordPolicy struct {
	minLength, maxLength int
	blocklist            *Blocklist // nil: none
}

// NewPasswordPolicy returns the policy with the given bounds and compromised-password blocklist (nil: none).
// Bounds outside SP 800-63B-4's (a minimum below 8, a maximum below 64 or below the minimum), or a maximum above
// MaxPasswordBytes, are an error.
func NewPasswordPolicy(minLength, maxLength int, blocklist *Blocklist) (*PasswordPolicy, error) {
	switch {
	case minLength < LowestMinPasswordLength:
		return nil, fmt.Errorf("password policy: minimum length %d is below %d (NIST SP 800-63B-4 §3.1.1.2)", minLength, LowestMinPasswordLength)
	case maxLength < LowestMaxPasswordLength:
		return nil, fmt.Errorf("password policy: maximum length %d is below %d (NIST SP 800-63B-4 §3.1.1.2)", maxLength, LowestMaxPasswordLength)
	case maxLength > MaxPasswordBytes:
		return nil, fmt.Errorf("password policy: maximum length %d is above %d, the most a login accepts", maxLength, MaxPasswordBytes)
	case maxLength < minLength:
		return nil, fmt.Errorf("password policy: maximum length %d is below the minimum %d", maxLength, minLength)
	}
	return &PasswordPolicy{minLength: minLength, maxLength: maxLength, blocklist: blocklist}, nil
}

// DefaultPasswordPolicy is the policy of a host that configures none: 15 to 1024 characters, the built-in
// checks, no blocklist file.
func DefaultPasswordPolicy() *PasswordPolicy {
	return &PasswordPolicy{minLength: DefaultMinPasswordLength, maxLength: DefaultMaxPasswordLength}
}

// MinLength is the fewest characters a new password may have.
func (p *PasswordPolicy) MinLength() int { return p.minLength }

// Check returns nil when password may be set for username on the site siteName, else a *PasswordError that
// names the rule it breaks. The error never contains the password.
func (p *PasswordPolicy) Check(password, username, siteName string) error {
	fail := func(rule PasswordRule, format string, a ...any) error {
		return &PasswordError{Rule: rule, Reason: fmt.Sprintf(format, a...), MinLength: p.minLength, MaxLength: p.maxLength}
	}
	if password == "" {
		return fail(RuleTooShort, "it is empty")
	}
	if !utf8.ValidString(password) {
		return fail(RuleEncoding, "it is not valid UTF-8 text")
	}
	// Checked before normalising, so a huge input costs nothing more.
	if len(password) > MaxPasswordBytes {
		return fail(RuleTooLong, "it is longer than %d bytes, the most a login accepts", MaxPasswordBytes)
	}
	nfc := norm.NFC.String(password)
	switch n := utf8.RuneCountInString(nfc); {
	case n < p.minLength:
		return fail(RuleTooShort, "it has %d %s", n, plural(n, "character"))
	case n > p.maxLength:
		return fail(RuleTooLong, "it has %d characters, more than the %d allowed", n, p.maxLength)
	}
	key := blockKey(nfc)
	switch {
	case isRepeated(key):
		return fail(RuleRepeated, "it is a short run of characters repeated")
	case isSequence(key):
		return fail(RuleSequence, "it is a sequence of consecutive characters or keyboard keys")
	case isCommon(key):
		return fail(RuleCommon, "it is one of the most common passwords")
	case p.blocklist.Contains(password):
		return fail(RuleCompromised, "it is on the list of compromised passwords")
	}
	if name := blockKey(username); utf8.RuneCountInString(name) >= minNameLength && strings.Contains(key, name) {
		return fail(RuleUsername, "it contains the username")
	}
	for _, w := range siteWords(siteName) {
		if strings.Contains(key, w) {
			return fail(RuleSiteName, "it contains the site name")
		}
	}
	return nil
}

// minNameLength is the shortest username or site-name word the context check looks for: a shorter one would
// refuse many good passwords by chance.
const minNameLength = 3

// minSiteWordLength is the shortest word of a site name checked on its own ("example" of "auth.example.com"):
// long enough that "com" or "org" refuse nothing.
const minSiteWordLength = 4

// siteWords are what a password must not contain of the site name: the whole of it, and each of its words of at
// least minSiteWordLength letters or digits, all in blockKey form.
func siteWords(siteName string) []string {
	whole := blockKey(siteName)
	var out []string
	if utf8.RuneCountInString(whole) >= minNameLength {
		out = append(out, whole)
	}
	for _, w := range strings.FieldsFunc(whole, func(r rune) bool { return !isWordRune(r) }) {
		if utf8.RuneCountInString(w) >= minSiteWordLength && w != whole {
			out = append(out, w)
		}
	}
	return out
}

// blockKey is the form passwords and names are compared in: NFC, then lower case, so the checks and the
// blocklist are case-insensitive.
func blockKey(s string) string { return strings.ToLower(norm.NFC.String(s)) }

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
