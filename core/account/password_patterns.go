package account

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The built-in checks for passwords that are long enough but guessed first (NIST SP 800-63B-4 §3.1.1.2 lists
// "repetitive or sequential characters" and "context-specific words"). They look at the whole password in
// blockKey form, and are deliberately simple: a password that merely contains a sequence is not refused.

// maxRepeatUnit is the longest unit isRepeated looks for: "aaaa…", "abab…", "abcabc…", "1234 1234 …".
const maxRepeatUnit = 4

// isRepeated reports whether s is a run of one to maxRepeatUnit characters repeated (at least twice) to its
// full length.
func isRepeated(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= maxRepeatUnit && 2*unit <= len(r); unit++ {
		if len(r)%unit != 0 {
			continue
		}
		same := true
		for i := unit; i < len(r) && same; i++ {
			same = r[i] == r[i-unit]
		}
		if same {
			return true
		}
	}
	return false
}

// keyboardRuns are rows of a US QWERTY keyboard, and its letter rows walked one after the other; a password
// that reads along one of them, either way, is a keyboard sequence.
var keyboardRuns = []string{
	"`1234567890-=",
	"qwertyuiop[]\\",
	"asdfghjkl;'",
	"zxcvbnm,./",
	"qwertyuiopasdfghjklzxcvbnm",
}

// isSequence reports whether s is a sequence: each character the one after the previous (abcdef…, 123456…,
// digits wrapping 9 to 0: 7890123…) or each the one before (fedcba…, 654321…), or a stretch of a keyboard row.
func isSequence(s string) bool {
	if utf8.RuneCountInString(s) < 2 {
		return false
	}
	return stepsBy(s, 1) || stepsBy(s, -1) || onKeyboard(s)
}

// stepsBy reports whether every character of s is its predecessor plus step; digits wrap around.
func stepsBy(s string, step rune) bool {
	var prev rune = -1
	for _, r := range s {
		if prev >= 0 && r != prev+step && !digitWrap(prev, r, step) {
			return false
		}
		prev = r
	}
	return true
}

func digitWrap(prev, r, step rune) bool {
	return (step > 0 && prev == '9' && r == '0') || (step < 0 && prev == '0' && r == '9')
}

func onKeyboard(s string) bool {
	rev := reverse(s)
	for _, row := range keyboardRuns {
		if strings.Contains(row, s) || strings.Contains(row, rev) {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
