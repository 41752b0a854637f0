package admin

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// A configured admin_socket lives in a directory the operator chose, typically systemd's RuntimeDirectory
// (/run/assentry, mode 0755, owned by the service user), not in the private 0700 per-user directory of
// SocketPath. What keeps it safe there is who can write the directory: only its owner can create, remove or
// replace the socket, so the owner must be someone the process already trusts. Who may connect is decided by the
// socket's own mode (0600) and the SO_PEERCRED check on every connection (peerChecked).

// prepareSocketDir creates the socket's directory (mode 0700) when it is missing, and checks it with
// checkSocketDir.
func prepareSocketDir(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("admin socket directory: %w", err)
	}
	return checkSocketDir(dir, false)
}

// checkSocketDir refuses a directory that another user could write to: it must be owned by this process's user
// or by root (or, when asRoot is set and this process is root, by anyone: root chose the path in its own
// configuration, and a service user's RuntimeDirectory is owned by that user) and writable by no one but its
// owner. A sticky world-writable directory such as /tmp is refused too: another user could take the name first.
func checkSocketDir(dir string, asRoot bool) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("admin socket directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("admin socket directory %s is not a directory", dir)
	}
	if err := checkOwner(dir, fi, asRoot); err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s has mode %v: others could replace the admin socket in it; make it writable by its owner only",
			dir, fi.Mode().Perm())
	}
	return nil
}

// checkSocketOwner is the client's check before it sends anything (passwords included) to a socket: its
// directory passes checkSocketDir, and the socket belongs to a user trusted the same way.
func checkSocketOwner(path string) error {
	if err := checkSocketDir(filepath.Dir(path), true); err != nil {
		return err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	return checkOwner(path, fi, true)
}

// checkOwner accepts a file owned by this process's user or root, or by anyone when asRoot is set and this
// process runs as root.
func checkOwner(path string, fi os.FileInfo, asRoot bool) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: cannot read its owner", path)
	}
	me := os.Geteuid()
	if int(st.Uid) == me || st.Uid == 0 || (asRoot && me == 0) {
		return nil
	}
	return fmt.Errorf("%s is owned by uid %d, neither us (uid %d) nor root: refusing to use it", path, st.Uid, me)
}

// removeStaleSocket removes a socket file left at path by a server that did not stop cleanly. Anything else at
// that path is an operator's mistake in admin_socket, reported rather than deleted.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("admin socket: %w", err)
	case fi.Mode().Type() != os.ModeSocket:
		return fmt.Errorf("admin socket: %s exists and is not a socket; refusing to replace it", path)
	}
	return os.Remove(path)
}
