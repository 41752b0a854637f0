package policy

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch reloads the plugins when their files change: it watches the directories holding them (editors and
// deployment tools replace a file by renaming another over it, which a watch on the file itself would miss) and
// calls Reload once a burst of events has been quiet for Debounce. It returns once the watch is set up; the watch
// ends with Close or when ctx is done.
func (m *Manager) Watch(ctx context.Context) error {
	m.watchMu.Lock()
	defer m.watchMu.Unlock()
	if m.stopWatch != nil {
		return errors.New("policy: already watching")
	}
	var dirs []string
	for _, b := range m.opts.Bindings {
		abs, err := filepath.Abs(b.Path)
		if err != nil {
			return err
		}
		if d := filepath.Dir(abs); !slices.Contains(dirs, d) {
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
	go m.watchLoop(ctx, w, m.watchDone)
	return nil
}

func (m *Manager) watchLoop(ctx context.Context, w *fsnotify.Watcher, done chan struct{}) {
	defer close(done)
	defer w.Close()
	log := m.chain.opts.Log
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Op != fsnotify.Chmod {
				timer.Reset(m.opts.Debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			log.Warn("policy file watch", "host", m.opts.Host, "err", err)
			timer.Reset(m.opts.Debounce) // events may have been lost: look at the files again
		case <-timer.C:
			rctx, cancel := context.WithTimeout(ctx, time.Minute)
			_ = m.Reload(rctx) // logged by Reload
			cancel()
		}
	}
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
