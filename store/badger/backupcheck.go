package badger

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
)

// ErrNotBackup is returned for a file that is not an Assentry backup at all.
var ErrNotBackup = errors.New("not an Assentry backup")

// ErrDamaged is returned for a backup whose trailer is missing or does not match its contents: a truncated
// copy, an interrupted transfer, a flipped bit.
var ErrDamaged = errors.New("the backup is damaged")

// readHeader reads the magic and the header line from r and refuses what this build cannot restore: a
// foreign file, a newer envelope, another backend, a newer store format. It returns the header and the bytes
// it consumed.
func readHeader(r *bufio.Reader) (BackupHeader, int64, error) {
	var h BackupHeader
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != backupMagic {
		return h, 0, fmt.Errorf("%w: it does not start with %q", ErrNotBackup, backupMagic[:len(backupMagic)-1])
	}
	line, err := r.ReadSlice('\n')
	if err != nil || len(line) > maxHeader {
		return h, 0, fmt.Errorf("%w: its header is cut short or too long", ErrDamaged)
	}
	if err := json.Unmarshal(line, &h); err != nil {
		return h, 0, fmt.Errorf("%w: its header is not readable (%v)", ErrDamaged, err)
	}
	switch {
	case h.Format > BackupFormat || h.Format < 1:
		return h, 0, fmt.Errorf("this backup has envelope format %d (written by assentry %s); this assentry reads "+
			"format %d: restore it with that release or a later one", h.Format, h.Version, BackupFormat)
	case h.Backend != backupBackend:
		return h, 0, fmt.Errorf("this backup is of the %q backend; only %q backups restore into a data directory",
			h.Backend, backupBackend)
	case h.StoreFormat > CurrentFormat:
		return h, 0, fmt.Errorf("this backup holds store format %d (written by assentry %s); this assentry knows "+
			"formats up to %d: restore it with that release or a later one", h.StoreFormat, h.Version, CurrentFormat)
	}
	return h, int64(len(magic) + len(line)), nil
}

// verifier checks a backup as it streams past: it hashes everything but the last trailerLen bytes, which it
// keeps, and keeps the start for the header. Check then compares the trailer with what came before.
type verifier struct {
	h    hash.Hash
	n    int64  // bytes hashed
	head []byte // the first maxHeader+len(backupMagic) bytes
	tail []byte // the last trailerLen bytes seen (fewer at first)
}

func newVerifier() *verifier { return &verifier{h: sha256.New()} }

func (v *verifier) Write(p []byte) (int, error) {
	if room := maxHeader + len(backupMagic) - len(v.head); room > 0 {
		v.head = append(v.head, p[:min(room, len(p))]...)
	}
	if len(p) >= trailerLen {
		v.hash(v.tail)
		v.hash(p[:len(p)-trailerLen])
		v.tail = append(v.tail[:0], p[len(p)-trailerLen:]...)
		return len(p), nil
	}
	v.tail = append(v.tail, p...)
	if over := len(v.tail) - trailerLen; over > 0 {
		v.hash(v.tail[:over])
		v.tail = append(v.tail[:0], v.tail[over:]...)
	}
	return len(p), nil
}

func (v *verifier) hash(p []byte) {
	v.h.Write(p)
	v.n += int64(len(p))
}

// Check returns the header of a complete, intact backup: ErrNotBackup, ErrDamaged or a refusal otherwise.
// The header is checked first, since "written by a newer release" says more than "damaged".
func (v *verifier) Check() (BackupHeader, error) {
	h, _, err := readHeader(bufio.NewReader(bytes.NewReader(v.head)))
	if err != nil {
		return h, err
	}
	if len(v.tail) < trailerLen || string(v.tail[:len(trailerMagic)]) != trailerMagic {
		return h, fmt.Errorf("%w: it has no trailer, so it is cut short (an interrupted backup or copy)", ErrDamaged)
	}
	if n := binary.BigEndian.Uint64(v.tail[len(trailerMagic):]); n != uint64(v.n) {
		return h, fmt.Errorf("%w: its trailer counts %d bytes, but %d came before it", ErrDamaged, n, v.n)
	}
	if !bytes.Equal(v.h.Sum(nil), v.tail[len(trailerMagic)+8:]) {
		return h, fmt.Errorf("%w: its checksum does not match its contents", ErrDamaged)
	}
	return h, nil
}
