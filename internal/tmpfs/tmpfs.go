//go:build linux

package tmpfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Mount mounts a tmpfs of sizeMiB at a new directory and unmounts it when the test ends. Without root, or when
// the mount fails, the test is skipped saying why; under CI=true (CI runs as root) it fails instead, so that CI
// never passes without having run it.
func Mount(t testing.TB, sizeMiB int) string {
	t.Helper()
	skip := func(why string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("disk-full test cannot run under CI: %s", why)
		}
		t.Skipf("disk-full test skipped: %s", why)
	}
	if os.Geteuid() != 0 {
		skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm,mode=0700", sizeMiB), "tmpfs", dir).CombinedOutput()
	if err != nil {
		skip(fmt.Sprintf("mount -t tmpfs: %v: %s", err, out))
	}
	t.Cleanup(func() {
		// Lazily: a server killed by the test may still be closing its files.
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// Free is the space available on dir's filesystem (statfs(2) f_bavail, as df reports it).
func Free(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// Fill creates the file name in dir taking all of dir's free space but leave bytes (rounded to whole pages), so
// that the test can give the space back later by removing it.
func Fill(dir, name string, leave uint64) (string, error) {
	free, err := Free(dir)
	if err != nil {
		return "", err
	}
	if free <= leave {
		return "", fmt.Errorf("tmpfs: %d bytes free, cannot leave %d", free, leave)
	}
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	size := int64(free - leave)
	if err := unix.Fallocate(int(f.Fd()), 0, 0, size); err != nil {
		if !errors.Is(err, unix.EOPNOTSUPP) {
			return "", fmt.Errorf("tmpfs: fallocate %s: %w", p, err)
		}
		buf := make([]byte, 1<<20)
		for left := size; left > 0; left -= int64(len(buf)) {
			if _, err := f.Write(buf[:min(left, int64(len(buf)))]); err != nil {
				return "", fmt.Errorf("tmpfs: fill %s: %w", p, err)
			}
		}
	}
	return p, f.Close()
}
