package themes

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// ContentType returns the media type to serve a static file with, by its extension (case-insensitive):
// "style.css" → "text/css; charset=utf-8". It is a fixed table rather than mime.TypeByExtension, whose answers depend
// on the host's /etc/mime.types. Unknown extensions get application/octet-stream, which with
// X-Content-Type-Options: nosniff is downloaded, never interpreted.
func ContentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".webmanifest":
		return "application/manifest+json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".avif":
		return "image/avif"
	case ".ico":
		return "image/vnd.microsoft.icon"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".ttf":
		return "font/ttf"
	case ".otf":
		return "font/otf"
	}
	return "application/octet-stream"
}

// staticFS is the merged static tree, in memory: read once at Load, immutable afterwards. It implements
// fs.ReadFileFS, fs.ReadDirFS and fs.StatFS; its files are io.Seekers, as http.FS needs.
type staticFS struct {
	files  map[string][]byte        // "style.css" → contents
	hashes map[string]string        // "style.css" → its content hash (hashed.go)
	dirs   map[string][]fs.DirEntry // "." and every parent directory of a file → sorted entries
}

// newStaticFS builds the tree from the merged static sources. A name that is both a file and a directory (the
// default's static/x.svg and an overlay's static/x.svg/...) is an error.
func newStaticFS(files map[string]source) (*staticFS, error) {
	s := &staticFS{files: map[string][]byte{}, hashes: map[string]string{}, dirs: map[string][]fs.DirEntry{".": nil}}
	seen := map[string]bool{}
	for name, src := range files {
		s.files[name] = src.data
		s.hashes[name] = contentHash(src.data)
		child, isDir := name, false
		for {
			parent := path.Dir(child)
			if !seen[child] {
				seen[child] = true
				var info fs.FileInfo = fileInfo{name: path.Base(child), size: int64(len(src.data))}
				if isDir {
					info = fileInfo{name: path.Base(child), dir: true}
				}
				s.dirs[parent] = append(s.dirs[parent], fs.FileInfoToDirEntry(info))
			}
			if parent == "." {
				break
			}
			if clash, ok := files[parent]; ok {
				return nil, fmt.Errorf("themes: %s: %s is also a directory (%s)", clash.origin, parent, src.origin)
			}
			child, isDir = parent, true
		}
	}
	for dir, entries := range s.dirs {
		slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
		s.dirs[dir] = entries
	}
	return s, nil
}

// Open implements fs.FS.
func (s *staticFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if data, ok := s.files[name]; ok {
		return &memFile{Reader: bytes.NewReader(data), info: fileInfo{name: path.Base(name), size: int64(len(data))}}, nil
	}
	if entries, ok := s.dirs[name]; ok {
		return &memDir{info: fileInfo{name: path.Base(name), dir: true}, entries: entries}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadFile implements fs.ReadFileFS; the caller gets its own copy.
func (s *staticFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	data, ok := s.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrNotExist}
	}
	return bytes.Clone(data), nil
}

// ReadDir implements fs.ReadDirFS.
func (s *staticFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	entries, ok := s.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return slices.Clone(entries), nil
}

// Stat implements fs.StatFS.
func (s *staticFS) Stat(name string) (fs.FileInfo, error) {
	f, err := s.Open(name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err.(*fs.PathError).Err}
	}
	return f.Stat()
}

// fileInfo describes an in-memory file or directory. ModTime is zero, as for embedded files: HTTP caching of
// static files should use content hashes, not load times.
type fileInfo struct {
	name string
	size int64
	dir  bool
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.dir }
func (i fileInfo) Sys() any           { return nil }
func (i fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

// memFile is an open static file: a bytes.Reader (Read, Seek, ReadAt) with Stat and Close.
type memFile struct {
	*bytes.Reader
	info fileInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

// memDir is an open static directory, read with ReadDir.
type memDir struct {
	info    fileInfo
	entries []fs.DirEntry
	offset  int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *memDir) Close() error               { return nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: fs.ErrInvalid}
}

// ReadDir implements fs.ReadDirFile: n > 0 reads at most n entries and io.EOF at the end; n <= 0 reads the rest.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.offset:]
	if n <= 0 {
		d.offset = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.offset += n
	return slices.Clone(rest[:n]), nil
}
