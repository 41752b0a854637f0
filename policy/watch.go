package policy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchStats count what the watcher did, for tests (export_test.go): the events it ignored (another file of a
// watched directory: a log file, an editor's swap file), the reloads it scheduled, and those it ran.
type watchStats struct {
	ignored, scheduled, reloads atomic.Int64
}

// Watch reloads the plugins when their files change. It watches the directories holding them, since editors
// and deployment tools replace a file by renaming another over it, which a watch on the file itself would miss,
// but reacts only to events on the plugin files themselves: a log file or an editor's temporary file in the
// same directory is ignored. Once a burst of events has been quiet for Debounce, it reloads; a file whose
// content already failed is not reloaded again, so a broken plugin is logged once per change. It returns once
// the watch is set up; the watch ends with Close or when ctx is done.
func (m *Manager) Watch(ctx context.Context) error {
	m.watchMu.Lock()
	defer m.watchMu.Unlock()
	if m.stopWatch != nil {
		return errors.New("policy: already watching")
	}
	var dirs []string
	files := map[string]bool{}
	for _, b := range m.opts.Bindings {
		abs, err := filepath.Abs(b.Path)
		if err != nil {
			return err
		}
		d := filepath.Dir(abs)
		files[abs] = true
		// A plugin file that is a symbolic link can change through another name of its directory (a Kubernetes
		// ConfigMap swaps a "..data" link): every event of that directory counts, and reload's checksums keep
		// an unchanged file from being loaded or logged again.
		if fi, err := os.Lstat(abs); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			files[d] = true
		}
		if !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := w.Add(d); err != nil {
			_ = w.Close()
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	m.stopWatch, m.watchDone = cancel, make(chan struct{})
	go m.watchLoop(ctx, w, files, m.watchDone)
	return nil
}

// watchLoop runs the watch: events on files (absolute paths of the plugin files, and of the directories whose
// every event counts) arm the debounce timer, which reloads when it fires.
func (m *Manager) watchLoop(ctx context.Context, w *fsnotify.Watcher, files map[string]bool, done chan struct{}) {
	defer close(done)
	defer w.Close()
	log := m.chain.opts.Log
	timer := m.debounceTimer()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			// A rename over a plugin file is a Create of its name; a write in place, a Write; a removal, a
			// Remove or Rename (the reload then logs the missing file). A Chmod changes nothing loaded.
			if name := filepath.Clean(ev.Name); ev.Op == fsnotify.Chmod || !files[name] && !files[filepath.Dir(name)] {
				m.watch.ignored.Add(1)
				continue
			}
			timer.Reset(m.opts.Debounce)
			m.watch.scheduled.Add(1) // after the reset: a test that saw the count knows the timer is armed
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			log.Warn("policy file watch", "err", err)
			timer.Reset(m.opts.Debounce) // events may have been lost: look at the files again
			m.watch.scheduled.Add(1)
		case <-timer.C():
			rctx, cancel := context.WithTimeout(ctx, time.Minute)
			_ = m.reload(rctx, true) // logged by reload
			cancel()
			m.watch.reloads.Add(1)
		}
	}
}

// debounce is the watcher's timer: a stopped time.Timer, or the tests' fake clock (export_test.go), so that a
// test of the debounce counts reloads at instants it chooses instead of racing the wall clock.
type debounce interface {
	Reset(d time.Duration)
	Stop()
	C() <-chan time.Time
}

// realTimer is a time.Timer as a debounce.
type realTimer struct{ t *time.Timer }

func (r realTimer) Reset(d time.Duration) { r.t.Reset(d) }
func (r realTimer) Stop()                 { r.t.Stop() }
func (r realTimer) C() <-chan time.Time   { return r.t.C }

func (m *Manager) debounceTimer() debounce {
	if m.newDebounce != nil {
		return m.newDebounce()
	}
	t := time.NewTimer(time.Hour)
	t.Stop()
	return realTimer{t}
}

// stopWatching ends the watch and waits for its goroutine.
func (m *Manager) stopWatching() {
	m.watchMu.Lock()
	defer m.watchMu.Unlock()
	if m.stopWatch != nil {
		m.stopWatch()
		<-m.watchDone
	}
}
