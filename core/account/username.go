package account

import (
	"fmt"
	"strings"

	"golang.org/x/text/secure/precis"
)

// NormalizeUsername applies the PRECIS UsernameCaseMapped profile (RFC 8265 §3.2) to a local part, so that
// "Alice", "ALICE" and the fullwidth "ａｌｉｃｅ" are one account. With fullID the input must be
// "local@domain" for this host's domain, which is stripped: the stored username is always the local part.
func NormalizeUsername(raw string, fullID bool, domain string) (string, error) {
	local := raw
	if fullID {
		i := strings.LastIndexByte(raw, '@')
		if i < 0 {
			return "", fmt.Errorf("username must be a full address (user@%s)", domain)
		}
		if !strings.EqualFold(raw[i+1:], domain) {
			return "", fmt.Errorf("username must end in @%s", domain)
		}
		local = raw[:i]
	}
	if strings.ContainsAny(local, "@/\"&'/:<>") {
		return "", fmt.Errorf("username contains a character that is not allowed (@ / \" & ' : < >)")
	}
	n, err := precis.UsernameCaseMapped.String(local)
	if err != nil || n == "" {
		return "", fmt.Errorf("username %q is not a valid PRECIS username", raw)
	}
	if len(n) > 1023 {
		return "", fmt.Errorf("username is too long")
	}
	return n, nil
}
