//go:build !linux

package tmpfs

import (
	"errors"
	"testing"
)

// Mount skips the test: mounting a tmpfs is Linux only.
func Mount(t testing.TB, sizeMiB int) string {
	t.Skip("disk-full test skipped: it mounts a tmpfs, which needs Linux")
	return ""
}

// Free is not implemented outside Linux.
func Free(dir string) (uint64, error) { return 0, errors.New("tmpfs: Linux only") }

// Fill is not implemented outside Linux.
func Fill(dir, name string, leave uint64) (string, error) { return "", errors.New("tmpfs: Linux only") }
