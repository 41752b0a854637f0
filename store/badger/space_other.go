//go:build !linux

package badger

import (
	"os"

	"golang.org/x/sys/unix"
)

// statfsFree is the space available to the process on dir's filesystem: statfs(2) f_bavail, as df reports it.
func statfsFree(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// allocate gives f size bytes of allocated blocks by writing zeros (no fallocate(2) outside Linux).
func allocate(f *os.File, size int64) error { return writeZeros(f, size) }
