//go:build linux

package flakydisk

import (
	"encoding/binary"
	"errors"
	"os"
	"sync"
	"syscall"
)

// The FUSE protocol (linux/fuse.h), as much of it as a filesystem of one fixed-size file needs.
const (
	opLookup      = 1
	opForget      = 2
	opGetattr     = 3
	opSetattr     = 4
	opOpen        = 14
	opRead        = 15
	opWrite       = 16
	opStatfs      = 17
	opRelease     = 18
	opFsync       = 20
	opFlush       = 25
	opInit        = 26
	opOpendir     = 27
	opReleasedir  = 29
	opAccess      = 34
	opInterrupt   = 36
	opBatchForget = 42

	inHeaderSize  = 40
	outHeaderSize = 16
	writeInSize   = 40

	initBigWrites = 1 << 5
	initMaxPages  = 1 << 22

	maxWrite = 1 << 20
	pageSize = 4096

	rootID = 1
	fileID = 2
	// fileName is the one file of the filesystem: the disk image the loop device runs on.
	fileName = "disk"
)

var le = binary.LittleEndian

// server is the FUSE filesystem: one file, the disk, whose writes stay in pending until a flush. It serves one
// request at a time, so a flush covers every write answered before it.
type server struct {
	fd   int
	img  *os.File // the platter: what survives a power cut
	size int64

	mu      sync.Mutex
	pending map[int64][]byte // page number → the page as written since the last flush
	cut     bool
	stats   Stats
}

// Stats count what the disk did.
type Stats struct {
	Writes  int // write requests received before the cut
	Flushes int // flushes received before the cut
	Flushed int // pages copied to the platter by those flushes
	Lost    int // pages written but not flushed when the power was cut
	Dropped int // write requests received after the cut (the filesystem's unmount, a writer still running)
}

// serve answers requests until the filesystem is unmounted.
func (s *server) serve() error {
	buf := make([]byte, maxWrite+64*1024)
	for {
		n, err := syscall.Read(s.fd, buf)
		switch {
		case errors.Is(err, syscall.ENODEV):
			return nil // unmounted
		case errors.Is(err, syscall.EINTR), errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.ENOENT):
			continue // interrupted, or a request the kernel gave up on
		case err != nil:
			return err
		case n < inHeaderSize:
			continue
		}
		s.handle(buf[:n])
	}
}

// handle answers one request.
func (s *server) handle(req []byte) {
	op := le.Uint32(req[4:])
	unique := le.Uint64(req[8:])
	node := le.Uint64(req[16:])
	in := req[inHeaderSize:]
	switch op {
	case opForget, opBatchForget, opInterrupt:
		return // no reply
	case opInit:
		out := make([]byte, 64)
		le.PutUint32(out[0:], 7)  // major
		le.PutUint32(out[4:], 38) // minor: the layout used here
		le.PutUint32(out[8:], le.Uint32(in[8:]))
		le.PutUint32(out[12:], le.Uint32(in[12:])&(initBigWrites|initMaxPages))
		le.PutUint16(out[16:], 16) // max_background
		le.PutUint16(out[18:], 12) // congestion_threshold
		le.PutUint32(out[20:], maxWrite)
		le.PutUint32(out[24:], 1)                 // time_gran
		le.PutUint16(out[28:], maxWrite/pageSize) // max_pages
		s.reply(unique, 0, out)
	case opLookup:
		name := in
		if i := indexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if node != rootID || string(name) != fileName {
			s.reply(unique, -int32(syscall.ENOENT), nil)
			return
		}
		out := make([]byte, 40+88)
		le.PutUint64(out[0:], fileID)
		le.PutUint64(out[8:], 1)     // generation
		le.PutUint64(out[16:], 3600) // entry_valid
		le.PutUint64(out[24:], 3600) // attr_valid
		s.attr(out[40:], fileID)
		s.reply(unique, 0, out)
	case opGetattr, opSetattr:
		if node != rootID && node != fileID {
			s.reply(unique, -int32(syscall.ENOENT), nil)
			return
		}
		out := make([]byte, 16+88)
		le.PutUint64(out[0:], 3600) // attr_valid
		s.attr(out[16:], node)
		s.reply(unique, 0, out)
	case opOpen, opOpendir:
		s.reply(unique, 0, make([]byte, 16)) // fh 0, no flags
	case opRelease, opReleasedir, opFlush, opAccess:
		s.reply(unique, 0, nil)
	case opStatfs:
		out := make([]byte, 80)
		le.PutUint64(out[0:], uint64(s.size/pageSize)) // blocks
		le.PutUint64(out[24:], 1)                      // files
		le.PutUint32(out[40:], pageSize)               // bsize
		le.PutUint32(out[44:], 255)                    // namelen
		le.PutUint32(out[48:], pageSize)               // frsize
		s.reply(unique, 0, out)
	case opRead:
		off, size := int64(le.Uint64(in[8:])), int64(le.Uint32(in[16:]))
		s.reply(unique, 0, s.read(off, size))
	case opWrite:
		off, size := int64(le.Uint64(in[8:])), int(le.Uint32(in[16:]))
		data := in[writeInSize:]
		if size > len(data) || off < 0 || off+int64(size) > s.size {
			s.reply(unique, -int32(syscall.EIO), nil)
			return
		}
		if err := s.write(off, data[:size]); err != nil {
			s.reply(unique, -int32(syscall.EIO), nil)
			return
		}
		out := make([]byte, 8)
		le.PutUint32(out[0:], uint32(size))
		s.reply(unique, 0, out)
	case opFsync:
		if err := s.flush(); err != nil {
			s.reply(unique, -int32(syscall.EIO), nil)
			return
		}
		s.reply(unique, 0, nil)
	default:
		s.reply(unique, -int32(syscall.ENOSYS), nil)
	}
}

// attr fills a fuse_attr (88 bytes) for the root directory or the file.
func (s *server) attr(b []byte, node uint64) {
	le.PutUint64(b[0:], node) // ino
	if node == rootID {
		le.PutUint32(b[60:], syscall.S_IFDIR|0o755) // mode
		le.PutUint32(b[64:], 2)                     // nlink
	} else {
		le.PutUint64(b[8:], uint64(s.size))         // size
		le.PutUint64(b[16:], uint64(s.size/512))    // blocks
		le.PutUint32(b[60:], syscall.S_IFREG|0o600) // mode
		le.PutUint32(b[64:], 1)                     // nlink
	}
	le.PutUint32(b[80:], pageSize) // blksize
}

// reply writes one answer; an answer to a request the kernel gave up on (ENOENT) is no error.
func (s *server) reply(unique uint64, errno int32, payload []byte) {
	out := make([]byte, outHeaderSize+len(payload))
	le.PutUint32(out[0:], uint32(len(out)))
	le.PutUint32(out[4:], uint32(errno))
	le.PutUint64(out[8:], unique)
	copy(out[outHeaderSize:], payload)
	_, _ = syscall.Write(s.fd, out)
}

// read returns the disk's bytes at off as the filesystem last wrote them (flushed or not).
func (s *server) read(off, size int64) []byte {
	if off >= s.size {
		return nil
	}
	size = min(size, s.size-off)
	b := make([]byte, size)
	_, _ = s.img.ReadAt(b, off)
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := off / pageSize; p*pageSize < off+size; p++ {
		page, ok := s.pending[p]
		if !ok {
			continue
		}
		start := p * pageSize
		from, to := max(start, off), min(start+pageSize, off+size)
		copy(b[from-off:to-off], page[from-start:to-start])
	}
	return b
}

// write keeps data at off in pending, page by page, until the next flush; after the cut it drops it.
func (s *server) write(off int64, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cut {
		s.stats.Dropped++
		return nil
	}
	s.stats.Writes++
	end := off + int64(len(data))
	for p := off / pageSize; p*pageSize < end; p++ {
		start := p * pageSize
		page, ok := s.pending[p]
		if !ok {
			page = make([]byte, pageSize)
			if _, err := s.img.ReadAt(page, start); err != nil {
				return err
			}
			s.pending[p] = page
		}
		from, to := max(start, off), min(start+pageSize, end)
		copy(page[from-start:to-start], data[from-off:to-off])
	}
	return nil
}

// flush writes every pending page to the platter; after the cut it does nothing.
func (s *server) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cut {
		return nil
	}
	s.stats.Flushes++
	for p, page := range s.pending {
		if _, err := s.img.WriteAt(page, p*pageSize); err != nil {
			return err
		}
		s.stats.Flushed++
	}
	clear(s.pending)
	return nil
}

// powerCut drops the pending pages and every later write.
func (s *server) powerCut() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.cut {
		s.cut = true
		s.stats.Lost = len(s.pending)
		// Reads until the unmount keep seeing what was written, so the filesystem above goes down quietly;
		// none of it reaches the platter.
	}
	return s.stats
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
