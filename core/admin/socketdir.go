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
//
// A root client accepts a directory and socket of any owner (a service user's RuntimeDirectory), but then the
// socket must belong to the directory's owner, and the directory's own parent must be writable by no one else:
// otherwise a local user could have made the directory first in a shared place such as /tmp (sticky, world
// writable) and listened there, and root's `user passwd` would send the password to them.
func checkSocketOwner(path string) error {
	dir := filepath.Dir(path)
	if err := checkSocketDir(dir, true); err != nil {
		return err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if err := checkOwner(path, fi, true); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return nil
	}
	return checkPlantable(dir, fi)
}

// checkPlantable is root's check of a socket owned by another user: the socket's owner owns its directory, and
// the directory's parent is writable by its owner only (root, or that same user).
func checkPlantable(dir string, sock os.FileInfo) error {
	sst, ok := sock.Sys().(*syscall.Stat_t)
	if !ok || sst.Uid == 0 {
		return nil // root's own socket in a directory checkSocketDir accepted
	}
	dfi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	dst, ok := dfi.Sys().(*syscall.Stat_t)
	if !ok || dst.Uid != sst.Uid {
		return fmt.Errorf("%s: the admin socket belongs to uid %d but its directory does not: refusing to use it", dir, sst.Uid)
	}
	parent := filepath.Dir(dir)
	pfi, err := os.Stat(parent)
	if err != nil {
		return err
	}
	pst, ok := pfi.Sys().(*syscall.Stat_t)
	if !ok || pfi.Mode().Perm()&0o022 != 0 || (pst.Uid != 0 && pst.Uid != sst.Uid) {
		return fmt.Errorf("%s: the admin socket's directory sits in %s, where other users can create directories: "+
			"refusing to use a socket another user could have placed there; put admin_socket under /run", dir, parent)
	}
	return nil
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
