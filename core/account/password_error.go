package account

import "fmt"

// PasswordRule names the rule of the password policy a refused password breaks.
type PasswordRule string

// The rules of PasswordPolicy.Check (NIST SP 800-63B-4 §3.1.1.2).
const (
	RuleTooShort    PasswordRule = "too_short"
	RuleTooLong     PasswordRule = "too_long"
	RuleEncoding    PasswordRule = "encoding"
	RuleRepeated    PasswordRule = "repeated"
	RuleSequence    PasswordRule = "sequence"
	RuleCommon      PasswordRule = "common"
	RuleCompromised PasswordRule = "compromised"
	RuleUsername    PasswordRule = "username"
	RuleSiteName    PasswordRule = "site_name"
)

// PasswordError is a password the policy refuses. Its message says which rule failed and what a good password
// needs, so an operator or user can choose another without guessing; it never contains the password.
type PasswordError struct {
	Rule      PasswordRule
	Reason    string // why, in words ("it has 3 characters")
	MinLength int    // the policy's minimum length
	MaxLength int    // the policy's maximum length (a too-long password's page says it)
}

func (e *PasswordError) Error() string {
	return fmt.Sprintf("password refused: %s; a password needs at least %d characters (any characters, spaces "+
		"included), and must not be a common or compromised password, a repeated or sequential run of characters, "+
		"or contain the username or the site name", e.Reason, e.MinLength)
}
