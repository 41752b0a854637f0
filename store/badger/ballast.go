package badger

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// The ballast file holds the watermark's worth of really allocated blocks in the data directory, released when
// writes are refused (space.go). It must take space for real: a sparse file would free nothing when deleted, so
// its blocks are allocated with fallocate(2), or written as zeros where the filesystem has no fallocate.

// ballastOK reports whether the ballast is in place: a regular file of the watermark's size whose blocks are
// allocated. Anything else at its path (a file cut short by a crash, sparse, of another size) is removed.
func (g *guard) ballastOK() bool {
	fi, err := os.Stat(g.ballast)
	if err != nil {
		return false
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().IsRegular() && uint64(fi.Size()) == g.mark &&
		uint64(st.Blocks)*512 >= g.mark {
		return true
	}
	_ = os.Remove(g.ballast)
	return false
}

// makeBallast creates the ballast: written to a temporary name and renamed, so a crash never leaves one that
// looks complete. On any error nothing is left behind.
func (g *guard) makeBallast() (err error) {
	tmp := g.ballast + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("badger: ballast: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("badger: ballast: %w", cerr)
		}
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err := allocate(f, int64(g.mark)); err != nil {
		return fmt.Errorf("badger: ballast of %d bytes: %w", g.mark, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("badger: ballast: %w", err)
	}
	if err := os.Rename(tmp, g.ballast); err != nil {
		return fmt.Errorf("badger: ballast: %w", err)
	}
	g.hasBallast = true
	syncDir(filepath.Dir(g.ballast))
	return nil
}

// writeZeros gives f size bytes by writing zeros: the allocation of filesystems without fallocate(2).
func writeZeros(f *os.File, size int64) error {
	zeros := make([]byte, 1<<20)
	for left := size; left > 0; left -= int64(len(zeros)) {
		if _, err := f.Write(zeros[:min(left, int64(len(zeros)))]); err != nil {
			return err
		}
	}
	return nil
}

// syncDir fsyncs a directory so a rename in it is durable; best effort (the ballast is only a reserve).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
