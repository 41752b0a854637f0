package badger

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/assentry/assentry/store"
)

// A backup file is our envelope around Badger's own backup stream:
//
//	magic    "ASSENTRY BACKUP\n"
//	header   BackupHeader as one line of JSON ending in '\n' (at most maxHeader bytes)
//	body     Badger's backup stream (DB.Backup's format: length-prefixed protobuf lists of key versions)
//	trailer  "ASBKEND\n", the big-endian uint64 length of everything before the trailer, and the SHA-256 of it
//
// The header lets restore refuse a foreign file, a newer backup format or a newer store format before touching
// anything; the trailer lets it refuse a truncated or altered file (Badger's stream has no checksum, and a file
// cut at a list boundary would otherwise load as a smaller, silently incomplete store).
const (
	backupMagic   = "ASSENTRY BACKUP\n"
	trailerMagic  = "ASBKEND\n"
	trailerLen    = len(trailerMagic) + 8 + sha256.Size
	maxHeader     = 4 << 10
	backupBackend = "badger"
	// BackupFormat is the envelope's version. Restore refuses a newer one.
	BackupFormat = 1
)

// BackupHeader describes a backup. It is written first, so restore can refuse a file it cannot read before
// loading anything.
type BackupHeader struct {
	Format      int       `json:"backup_format"`
	Backend     string    `json:"backend"`
	StoreFormat int       `json:"store_format"`
	CreatedAt   time.Time `json:"created_at"` // when the backup began; its snapshot is taken just after
	Version     string    `json:"assentry_version"`
}

// Backup writes a full backup of the store to w: the header, every live record as of one snapshot, the
// trailer. Its signature is what the admin socket and the admin HTTP API take.
//
// Consistency: the records come from one Badger read transaction (one producer goroutine, so one read
// timestamp; DB.Backup's default of several producers would give each its own snapshot, and a write landing
// between them could be torn in the backup). Every write acknowledged before Backup was called is in it,
// since a write is acknowledged only after its commit; a write committed while the backup runs is not, even
// though the backup finishes later; and a write is in it whole or not at all (a group-commit batch is one
// transaction). Writes go on while the backup runs; Badger keeps the snapshot's versions until it ends.
//
// The backup stops with ctx's error when ctx ends, and with store.ErrClosed when the store is being closed.
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	v, err := readFormat(s.db)
	if err != nil {
		return err
	}
	h := BackupHeader{Format: BackupFormat, Backend: backupBackend, StoreFormat: max(v, 0),
		CreatedAt: s.clock().UTC(), Version: s.version}
	hw := &hashWriter{w: abortWriter{ctx: ctx, stop: s.stop, w: w}, h: sha256.New()}
	line, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(hw, backupMagic); err != nil {
		return err
	}
	if _, err := hw.Write(append(line, '\n')); err != nil {
		return err
	}
	stream := s.db.NewStream()
	stream.NumGo = 1 // one read transaction: one snapshot (see above)
	stream.LogPrefix = "assentry backup"
	if _, err := stream.Backup(hw, 0); err != nil {
		return fmt.Errorf("badger: backup: %w", err)
	}
	_, err = hw.w.Write(trailer(hw.n, hw.h))
	return err
}

// trailer is the envelope's end for n bytes hashed by h.
func trailer(n int64, h hash.Hash) []byte {
	b := make([]byte, 0, trailerLen)
	b = append(b, trailerMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(n))
	return h.Sum(b)
}

// hashWriter writes through to w and hashes and counts what it wrote.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

// abortWriter fails as soon as ctx ends or the store starts closing, so a backup never holds up Close.
type abortWriter struct {
	ctx  context.Context
	stop <-chan struct{}
	w    io.Writer
}

func (a abortWriter) Write(p []byte) (int, error) {
	if err := a.ctx.Err(); err != nil {
		return 0, err
	}
	select {
	case <-a.stop:
		return 0, store.ErrClosed
	default:
	}
	return a.w.Write(p)
}
