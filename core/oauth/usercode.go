package oauth

import (
	"fmt"
	"io"
	"strings"
)

// UserCodeAlphabet is RFC 8628 §6.1's base-20 alphabet: consonants only, so no vowel spells a word and no letter
// is confused with a digit; 8 characters give 20^8 ≈ 2^34.6 codes.
const UserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// userCodeLen is the number of characters of a user code, shown as XXXX-XXXX (as in mod_http_oauth2).
const userCodeLen = 8

// newUserCode draws a user code from r, uniformly: a byte of 240 or more is discarded, so every character is
// equally likely (240 is a multiple of 20).
func newUserCode(r io.Reader) (string, error) {
	out := make([]byte, 0, userCodeLen)
	buf := make([]byte, 16)
	for len(out) < userCodeLen {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("user code: %w", err)
		}
		for _, b := range buf {
			if b < 240 && len(out) < userCodeLen {
				out = append(out, UserCodeAlphabet[b%20])
			}
		}
	}
	return string(out), nil
}

// FormatUserCode shows a normalised user code as XXXX-XXXX.
func FormatUserCode(code string) string {
	if len(code) != userCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizeUserCode turns what a user typed into the code it names: RFC 8628 §6.1 asks servers to ignore
// case and punctuation, so letters are upper-cased and dashes and white space dropped. ok is false when what
// remains cannot be a user code (wrong length, a character outside the alphabet): such input is refused without
// a store lookup.
func NormalizeUserCode(typed string) (code string, ok bool) {
	var b strings.Builder
	for _, r := range typed {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if !strings.ContainsRune(UserCodeAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
		if b.Len() > userCodeLen {
			return "", false
		}
	}
	if b.Len() != userCodeLen {
		return "", false
	}
	return b.String(), true
}
