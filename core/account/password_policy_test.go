package account

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/config"
)

func TestPasswordPolicyCheck(t *testing.T) {
	bl, err := ReadBlocklist(strings.NewReader("Tr0ub4dor&3-horse-staple\r\n\nsixteen chars ok\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPasswordPolicy(15, 64, bl)
	if err != nil {
		t.Fatal(err)
	}
	p1024 := DefaultPasswordPolicy()
	p8, err := NewPasswordPolicy(8, 64, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		policy *PasswordPolicy
		pw     string
		user   string
		site   string
		want   PasswordRule // "": accepted
	}{
		{"one character", p, "a", "bob", "", RuleTooShort},
		{"empty", p, "", "bob", "", RuleTooShort},
		{"14 characters", p, "glass tiger 14", "bob", "", RuleTooShort},
		{"15 characters", p, "glass tiger 015", "bob", "", ""},
		{"spaces and punctuation count", p, "     .....    ", "bob", "", RuleTooShort},
		// SP 800-63B-4 §3.1.1.2: each code point is one character, counted in NFC: "e" with a combining acute is one "é".
		{"decomposed é counts once: 14", p, "re\u0301sume\u0301 e\u0301 cafe\u0301!", "bob", "", RuleTooShort},
		{"decomposed é counts once: 15", p, "re\u0301sume\u0301 e\u0301 cafe\u0301s!", "bob", "", ""},
		{"15 code points of 4 bytes", p, "🐈🐕🐇🐢🐍🦊🦉🐝🦋🐌🐞🦂🦀🐙🐠", "bob", "", ""},
		{"64 characters allowed", p, "the 64th character of this long passphrase is the last one: okay", "bob", "", ""},
		{"65 characters refused", p, "the 65th character of this long passphrase is the last one: okay!", "bob", "", RuleTooLong},
		{"huge input", p, strings.Repeat("abcdefghij", 200), "bob", "", RuleTooLong},
		// 300 characters, but 1200 bytes: more than the login page and the password grant read.
		{"over the login's byte limit", p1024, strings.Repeat("🐈🐕🐇", 100), "bob", "", RuleTooLong},
		{"at the login's byte limit", p1024, strings.Repeat("🐈🐕🐇🐢🐍", 51) + "abcd", "bob", "", ""},
		{"invalid UTF-8", p, "valid start then \xff\xfe bytes", "bob", "", RuleEncoding},
		{"no composition rules: all lower case", p, "purple giraffes eat quietly", "bob", "", ""},
		{"one character repeated", p, strings.Repeat("z", 20), "bob", "", RuleRepeated},
		{"a pair repeated", p, strings.Repeat("Ab", 8), "bob", "", RuleRepeated},
		{"four characters repeated", p, strings.Repeat("1984", 4), "bob", "", RuleRepeated},
		{"five characters repeated is not a pattern", p, strings.Repeat("tulip", 3), "bob", "", ""},
		{"alphabet run", p, "abcdefghijklmnop", "bob", "", RuleSequence},
		{"alphabet run, upper case", p, "ABCDEFGHIJKLMNOP", "bob", "", RuleSequence},
		{"descending run", p, "zyxwvutsrqponmlk", "bob", "", RuleSequence},
		{"digits wrapping", p, "1234567890123456", "bob", "", RuleSequence},
		{"digits descending, wrapping", p, "9876543210987654", "bob", "", RuleSequence},
		{"keyboard letter rows", p, "qwertyuiopasdfghj", "bob", "", RuleSequence},
		{"keyboard row, reversed", p8, "poiuytrewq", "bob", "", RuleSequence},
		{"keyboard row", p8, "asdfghjkl;", "bob", "", RuleSequence},
		{"sequence inside a passphrase is fine", p, "abcdef is my favourite song", "bob", "", ""},
		{"common password", p8, "Password1", "bob", "", RuleCommon},
		{"common long password", p, "correct horse battery staple", "bob", "", RuleCommon},
		{"on the blocklist", p, "Tr0ub4dor&3-horse-staple", "bob", "", RuleCompromised},
		{"on the blocklist, other case", p, "TR0UB4DOR&3-HORSE-STAPLE", "bob", "", RuleCompromised},
		{"on the blocklist, CRLF file", p, "Sixteen Chars OK", "bob", "", RuleCompromised},
		{"blocklist prefix is fine", p, "Tr0ub4dor&3-horse-staples", "bob", "", ""},
		{"contains the username", p, "my name is Robert and hi", "robert", "", RuleUsername},
		{"contains a two-letter username", p, "jo jumps over the fence", "jo", "", ""},
		{"contains the site name", p, "I love Example Chat a lot", "bob", "Example Chat", RuleSiteName},
		{"contains a word of the site name", p, "example password for me", "bob", "auth.example.com", RuleSiteName},
		{"contains a short label of the site name", p, "welcome to the com port", "bob", "auth.example.com", ""},
		{"contains the default site name", p, "127.0.0.1 is localhost", "bob", "127.0.0.1", RuleSiteName},
		{"min 8: 8 characters", p8, "tiger 88", "bob", "", ""},
		{"min 8: 7 characters", p8, "tiger 7", "bob", "", RuleTooShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Check(tt.pw, tt.user, tt.site)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *PasswordError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PasswordError of rule %s", err, tt.want)
			}
			if pe.Rule != tt.want {
				t.Fatalf("rule = %s (%v), want %s", pe.Rule, err, tt.want)
			}
			msg := err.Error()
			if len(tt.pw) >= 4 && strings.Contains(strings.ToLower(msg), strings.ToLower(tt.pw)) {
				t.Fatalf("the message echoes the password: %s", msg)
			}
			if want := "at least " + strconv.Itoa(tt.policy.MinLength()) + " characters"; !strings.Contains(msg, want) {
				t.Fatalf("message %q does not state the minimum (%q)", msg, want)
			}
		})
	}
}

func TestPasswordTooShortMessage(t *testing.T) {
	err := DefaultPasswordPolicy().Check("a", "bob", "")
	want := "password refused: it has 1 character; a password needs at least 15 characters"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err = %v, want it to start with %q", err, want)
	}
}

func TestNewPasswordPolicyBounds(t *testing.T) {
	tests := []struct {
		name     string
		min, max int
		wantErr  bool
	}{
		{"defaults", DefaultMinPasswordLength, DefaultMaxPasswordLength, false},
		{"lowest", 8, 64, false},
		{"min below 8", 7, 64, true},
		{"max below 64", 15, 63, true},
		{"max below min", 100, 80, true},
		{"max above the login's limit", 15, 1025, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewPasswordPolicy(tt.min, tt.max, nil); (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

// The config's defaults and floors are its own copies (core/config imports nothing of the module).
func TestPasswordDefaultsMatchConfig(t *testing.T) {
	if DefaultMinPasswordLength != config.DefaultPasswordMinLength || DefaultMaxPasswordLength != config.DefaultPasswordMaxLength {
		t.Fatalf("account defaults %d..%d, config defaults %d..%d", DefaultMinPasswordLength, DefaultMaxPasswordLength,
			config.DefaultPasswordMinLength, config.DefaultPasswordMaxLength)
	}
}

// Every built-in common password is at least the lowest minimum long (a shorter one is refused by length
// anyway) and is stored in the form it is compared in.
func TestCommonPasswordsList(t *testing.T) {
	for _, pw := range commonPasswords {
		if len([]rune(pw)) < LowestMinPasswordLength || blockKey(pw) != pw || isRepeated(pw) || isSequence(pw) {
			t.Errorf("%q: shorter than %d, not in blockKey form, or already refused by a pattern", pw, LowestMinPasswordLength)
		}
	}
}
