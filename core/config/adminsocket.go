package config

import (
	"fmt"
	"path/filepath"
)

// MaxAdminSocketPath is the longest admin_socket accepted, in bytes: a unix socket address holds 108 bytes on
// Linux (sun_path), one of which is the terminating NUL.
const MaxAdminSocketPath = 107

// checkAdminSocket accepts an absolute, clean path short enough for a unix socket. A relative path is refused
// because the server and the CLI may run from different directories and must name the same socket. Whether its
// directory exists and is safe is checked by the server when it listens, not here: the CLI loads the same file
// on a machine where the server's runtime directory may not exist yet.
func checkAdminSocket(p string) error {
	switch {
	case !filepath.IsAbs(p):
		return fmt.Errorf("%q must be an absolute path, such as /run/assentry/admin.sock", p)
	case filepath.Clean(p) != p:
		return fmt.Errorf("%q must be a clean path (no trailing slash, no . or .. elements), such as %q", p, filepath.Clean(p))
	case len(p) > MaxAdminSocketPath:
		return fmt.Errorf("%q is %d bytes long: a unix socket path holds at most %d", p, len(p), MaxAdminSocketPath)
	}
	return nil
}
