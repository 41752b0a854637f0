package config

import (
	"fmt"
	"os"
	"strings"
)

// PasswordPolicy is the password_policy section: what a new password must be (NIST SP 800-63B-4 §3.1.1.2). In
// the file, 0 (or leaving a field out) means the default.
type PasswordPolicy struct {
	// MinLength is the fewest characters (Unicode code points) of a new password: 15 by default, as §3.1.1.2
	// requires of a password that is the only factor; 8 to 14 are accepted with a warning, less is an error.
	MinLength int `yaml:"min_length"`
	// MaxLength is the most characters accepted: 1024 by default; 64 (§3.1.1.2) to 1024. A password is also
	// refused over 1024 bytes in UTF-8, the most a login reads.
	MaxLength int `yaml:"max_length"`
	// BlocklistFile names a file of compromised passwords, one a line, refused case-insensitively.
	BlocklistFile string `yaml:"blocklist_file"`
}

// PasswordPolicySettings is a host's effective password policy.
type PasswordPolicySettings struct {
	MinLength     int
	MaxLength     int
	BlocklistFile string // as written; "": no blocklist file
}

// The password policy's defaults and floors (NIST SP 800-63B-4 §3.1.1.2). core/account holds the same numbers,
// which its tests check against these.
const (
	DefaultPasswordMinLength = 15
	DefaultPasswordMaxLength = 1024
	// lowestPasswordMinLength is §3.1.1.2's minimum for a password used with a second factor.
	lowestPasswordMinLength = 8
	// lowestPasswordMaxLength: §3.1.1.2 has verifiers accept at least 64 characters.
	lowestPasswordMaxLength = 64
	// highestPasswordMaxLength is the most the login page and the password grant read, in bytes (core/account's
	// MaxPasswordBytes): a longer password could be set but never used.
	highestPasswordMaxLength = 1024
)

// passwordPolicy resolves password_policy. The blocklist file must exist now, so a typo fails at start; the
// server reads it when it builds the host (at start and at each reload).
func (b *hostBuilder) passwordPolicy(h Host, hs *HostSettings) {
	p := PasswordPolicySettings{MinLength: DefaultPasswordMinLength, MaxLength: DefaultPasswordMaxLength}
	if c := h.PasswordPolicy; c != nil {
		if c.MinLength != 0 {
			p.MinLength = c.MinLength
		}
		if c.MaxLength != 0 {
			p.MaxLength = c.MaxLength
		}
		p.BlocklistFile = c.BlocklistFile
	}
	switch {
	case p.MinLength < lowestPasswordMinLength:
		b.errorf("password_policy.min_length", "%d is below %d, the least NIST SP 800-63B-4 §3.1.1.2 allows "+
			"(0 or unset: the default, %d)", p.MinLength, lowestPasswordMinLength, DefaultPasswordMinLength)
	case p.MinLength < DefaultPasswordMinLength:
		b.warnf("password_policy.min_length", "%d is below %d: NIST SP 800-63B-4 §3.1.1.2 allows passwords "+
			"shorter than %d characters only where they are used with a second factor", p.MinLength,
			DefaultPasswordMinLength, DefaultPasswordMinLength)
	}
	switch {
	case p.MaxLength < lowestPasswordMaxLength:
		b.errorf("password_policy.max_length", "%d is below %d: NIST SP 800-63B-4 §3.1.1.2 has at least %d "+
			"characters accepted", p.MaxLength, lowestPasswordMaxLength, lowestPasswordMaxLength)
	case p.MaxLength > highestPasswordMaxLength:
		b.errorf("password_policy.max_length", "%d is above %d, the longest password (in bytes) the login page and "+
			"the password grant accept", p.MaxLength, highestPasswordMaxLength)
	case p.MaxLength < p.MinLength:
		b.errorf("password_policy.max_length", "%d is below min_length %d", p.MaxLength, p.MinLength)
	}
	if f := p.BlocklistFile; f != "" {
		if err := checkBlocklistFile(f); err != nil {
			b.errorf("password_policy.blocklist_file", "%v", err)
		}
	}
	hs.Passwords = p
}

// checkBlocklistFile reports a blocklist file that cannot be what it should: a readable regular file.
func checkBlocklistFile(path string) error {
	if strings.ContainsAny(path, "\x00\r\n") {
		return fmt.Errorf("must be a path on one line")
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("%q: %w", path, unwrapPathError(err))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%q is not a regular file", path)
	}
	return nil
}

// unwrapPathError drops the *fs.PathError's repetition of the path, which the message already quotes.
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
