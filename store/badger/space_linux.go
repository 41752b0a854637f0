package badger

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// statfsFree is the space available to the process on dir's filesystem: statfs(2) f_bavail in units of
// f_frsize, as df reports it.
func statfsFree(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	unit := uint64(st.Frsize)
	if unit == 0 {
		unit = uint64(st.Bsize)
	}
	return st.Bavail * unit, nil
}

// allocate gives f size bytes of allocated blocks: fallocate(2) (mode 0, which also sets the size), or zeros
// written where the filesystem does not support it.
func allocate(f *os.File, size int64) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, size)
	if err == nil || !(errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS)) {
		return err
	}
	return writeZeros(f, size)
}
