package badger

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BackupFunc writes a full backup to w: (*Store).Backup, or a running server's backup over its admin socket.
type BackupFunc func(ctx context.Context, w io.Writer) error

// BackupInfo is what a backup written or restored was.
type BackupInfo struct {
	BackupHeader
	Size int64 // bytes of the backup file
}

// WriteBackup copies the backup that src produces to w and checks it on the way (envelope, length, checksum),
// so a backup cut short by a failing server is reported, never taken for a good one.
func WriteBackup(ctx context.Context, w io.Writer, src BackupFunc) (BackupInfo, error) {
	v := newVerifier()
	cw := &countWriter{w: w}
	if err := src(ctx, io.MultiWriter(cw, v)); err != nil {
		return BackupInfo{}, err
	}
	h, err := v.Check()
	return BackupInfo{BackupHeader: h, Size: cw.n}, err
}

// WriteBackupFile writes the backup that src produces to path, durably: into path+".tmp", checked, fsynced,
// renamed over path, and the directory fsynced, so path is either the previous file or the whole new backup,
// even across a crash. On failure the temporary file is removed.
func WriteBackupFile(ctx context.Context, path string, src BackupFunc) (info BackupInfo, err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return info, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if info, err = WriteBackup(ctx, bw, src); err != nil {
		return info, err
	}
	if err = bw.Flush(); err != nil {
		return info, err
	}
	if err = f.Sync(); err != nil {
		return info, err
	}
	if err = f.Close(); err != nil {
		return info, err
	}
	if err = os.Rename(tmp, path); err != nil {
		return info, err
	}
	return info, syncDirErr(filepath.Dir(path))
}

// syncDirErr makes a rename or a file creation in dir durable.
func syncDirErr(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
