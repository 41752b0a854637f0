package assembly

import (
	"fmt"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/config"
)

// passwordPolicy makes the host's password policy, reading its blocklist file now: at start, at each reload
// (a new generation reads the file afresh, so an edited list takes effect on reload) and in each management
// command that sets passwords without a server.
func passwordPolicy(h *config.HostSettings) (*account.PasswordPolicy, error) {
	p := h.Passwords
	var bl *account.Blocklist
	if p.BlocklistFile != "" {
		var err error
		if bl, err = account.ReadBlocklistFile(p.BlocklistFile); err != nil {
			return nil, fmt.Errorf("password_policy.blocklist_file: %w", err)
		}
	}
	return account.NewPasswordPolicy(p.MinLength, p.MaxLength, bl)
}
