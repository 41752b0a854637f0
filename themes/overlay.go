package themes

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// readOverlay lays the theme directory over set, file by file:
//
//   - <dir>/<name>.html (top level only) replaces the default template of that name, or adds one: a page, a
//     partial (_name.html) or layout.html;
//   - <dir>/static/<path> replaces or adds a static file;
//   - <dir>/messages/<locale>.json is laid over the default catalog of that locale key by key, or adds a locale;
//   - anything else (other directories, other files, names starting with '.') is not part of the theme and ignored.
//
// The directory is read through an os.Root: a symlink is followed only while it stays inside dir and is relative;
// one that leaves dir is refused, as is a symlinked directory or a file that is not regular (a FIFO would block).
// Files are read into memory once: later edits need a new Load.
func readOverlay(dir string, set *fileSet) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("themes: theme directory: %w", err)
	}
	defer root.Close()
	fsys := root.FS()

	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		origin := filepath.Join(dir, filepath.FromSlash(p))
		if err != nil {
			return fmt.Errorf("themes: %s: %w", origin, err)
		}
		if p == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return skip(d)
		}
		inStatic := strings.HasPrefix(p, staticDir+"/")
		if p == staticDir && !d.IsDir() {
			return fmt.Errorf("themes: %s: refused: %s must be a directory, not a file or symlink", origin, staticDir)
		}
		if d.IsDir() {
			if p == staticDir || inStatic || p == messagesDir {
				return nil
			}
			return fs.SkipDir
		}
		isTemplate := !strings.Contains(p, "/") && path.Ext(p) == templateExt
		catalogFile, isCatalog := strings.CutPrefix(p, messagesDir+"/")
		isCatalog = isCatalog && !strings.Contains(catalogFile, "/") && path.Ext(p) == catalogExt
		if !inStatic && !isTemplate && !isCatalog {
			return nil
		}
		if err := regular(fsys, p, d); err != nil {
			return fmt.Errorf("themes: %s: refused: %w", origin, err)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("themes: %s: refused: %w", origin, err)
		}
		if isCatalog {
			return set.addCatalog(catalogFile, origin, data)
		}
		if inStatic {
			name := strings.TrimPrefix(p, staticDir+"/")
			set.static[name] = source{name: name, origin: origin, data: data}
		} else {
			set.templates[p] = source{name: p, origin: origin, data: data}
		}
		return nil
	})
}

// regular checks that p is a regular file, following a symlink through the root (which refuses one leaving it).
func regular(fsys fs.FS, p string, d fs.DirEntry) error {
	mode := d.Type()
	if mode&fs.ModeSymlink != 0 {
		info, err := fs.Stat(fsys, p) // follows the link; os.Root refuses absolute links and links escaping dir
		if err != nil {
			return err
		}
		if info.IsDir() {
			return fmt.Errorf("symlinked directories are not supported")
		}
		mode = info.Mode().Type()
	}
	if !mode.IsRegular() {
		return fmt.Errorf("not a regular file (%s)", mode)
	}
	return nil
}

// skip ignores a hidden entry (.git, .DS_Store, editor swap files): a hidden directory is not descended into.
func skip(d fs.DirEntry) error {
	if d.IsDir() {
		return fs.SkipDir
	}
	return nil
}
