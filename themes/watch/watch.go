package watch

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/assentry/assentry/themes"
	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long a burst of changes must be quiet before the theme is loaded again: an editor's save
// (write a temporary file, rename it over the original) or a copy of several files is one reload, not several.
const DefaultDebounce = 150 * time.Millisecond

// Options tune a watch.
type Options struct {
	Debounce time.Duration // 0: DefaultDebounce
	Log      *slog.Logger  // nil: slog.Default()
	Attrs    []any         // added to every log line, e.g. "host", "default"
	// Reloaded, if set, is called after every load: with the new theme (already swapped in), or with the load's
	// error (the previous theme stays). The preview uses it to reload the browser.
	Reloaded func(*themes.Theme, error)
}

// Start watches dir and swaps every version of it that loads into live, until ctx ends; done is closed when the
// watch has stopped. It returns once the watch is set up, so a change made after it returns is seen.
//
// It watches the directory itself, messages/ and every directory under static/, since editors and deployment tools
// replace a file by renaming another over it, which a watch on the file would miss; fsnotify is not recursive, so
// messages/ or a directory under static/ created after the start is added as it appears. Only events on what
// themes.Load reads count: the .html files at the top level, the catalogs (messages/*.json: an edited, replaced
// or new language reloads the theme, and so what discovery advertises as ui_locales_supported) and anything under
// static/; hidden names (.git, an editor's .swp) are ignored, except the "..data" link of a Kubernetes ConfigMap
// volume.
func Start(ctx context.Context, dir string, live *themes.Live, o Options) (done <-chan struct{}, err error) {
	if o.Debounce <= 0 {
		o.Debounce = DefaultDebounce
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := w.Add(dir); err != nil {
		_ = w.Close()
		return nil, err
	}
	wt := &watcher{dir: dir, live: live, o: o, w: w}
	wt.addTree(filepath.Join(dir, staticDir))
	wt.addTree(filepath.Join(dir, messagesDir))
	ch := make(chan struct{})
	go wt.loop(ctx, ch)
	return ch, nil
}

// watcher is one running watch of a theme directory.
type watcher struct {
	dir  string
	live *themes.Live
	o    Options
	w    *fsnotify.Watcher
}

// The theme directory's subdirectories themes.Load reads.
const (
	staticDir   = "static"   // static files, at any depth
	messagesDir = "messages" // catalogs, messages/<locale>.json
)

// addTree watches a directory (static/ or one under it, messages/) and the directories below it (a missing one is
// not an error: it may be created later, which the parent's watch sees).
func (wt *watcher) addTree(root string) {
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if err := wt.w.Add(p); err != nil {
			wt.o.Log.Warn("theme watch: cannot watch a directory; restart to see its changes", wt.attrs("dir", p, "err", err)...)
		}
		return nil
	})
}

// relevant reports whether an event concerns a file themes.Load reads; a new messages/ or directory under static/ is
// watched.
func (wt *watcher) relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	rel, err := filepath.Rel(wt.dir, filepath.Clean(ev.Name))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	// A Kubernetes ConfigMap volume links each file through "..data", a symbolic link it swaps to update them all
	// at once: a change of it is a change of every file.
	if len(parts) == 1 && strings.HasPrefix(parts[0], "..") {
		return true
	}
	for _, p := range parts {
		if strings.HasPrefix(p, ".") {
			return false
		}
	}
	switch {
	case parts[0] == staticDir:
		wt.watchNewDir(ev)
		return true
	case parts[0] == messagesDir && len(parts) == 1: // messages/ itself created, removed or renamed
		wt.watchNewDir(ev)
		return true
	case parts[0] == messagesDir:
		return len(parts) == 2 && filepath.Ext(parts[1]) == ".json"
	}
	return len(parts) == 1 && filepath.Ext(parts[0]) == ".html"
}

// watchNewDir adds the watch of a directory the event created.
func (wt *watcher) watchNewDir(ev fsnotify.Event) {
	if !ev.Has(fsnotify.Create) {
		return
	}
	if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
		wt.addTree(ev.Name)
	}
}

// loop runs the watch: a relevant event arms the debounce timer, which loads the directory when it fires.
func (wt *watcher) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	defer wt.w.Close()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-wt.w.Events:
			if !ok {
				return
			}
			if wt.relevant(ev) {
				timer.Reset(wt.o.Debounce)
			}
		case err, ok := <-wt.w.Errors:
			if !ok {
				return
			}
			wt.o.Log.Warn("theme watch", wt.attrs("err", err)...)
			timer.Reset(wt.o.Debounce) // events may have been lost: load the directory again
		case <-timer.C:
			wt.reload()
		}
	}
}

// reload loads the directory and swaps it in, or logs every error and keeps the previous version.
func (wt *watcher) reload() {
	t, err := themes.Load(wt.dir)
	if err != nil {
		for _, e := range flatten(err) {
			wt.o.Log.Error("theme reload failed; the previous version stays", wt.attrs("dir", wt.dir, "err", e)...)
		}
	} else {
		wt.live.Store(t)
		wt.o.Log.Info("theme reloaded", wt.attrs("dir", wt.dir)...)
	}
	if wt.o.Reloaded != nil {
		wt.o.Reloaded(t, err)
	}
}

// flatten splits the errors themes.Load joins (one per broken file), so each is its own log line.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// attrs is the log line's key/value pairs after the watch's own.
func (wt *watcher) attrs(kv ...any) []any {
	return append(append([]any(nil), wt.o.Attrs...), kv...)
}
