package audit

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/assentry/assentry/core/events"
)

// Files opens every audit destination of a server once: hosts that name the same file (or stderr) share one
// Writer, so their lines never interleave, and one Reopen serves them all. Safe for concurrent use.
type Files struct {
	log *slog.Logger

	mu      sync.Mutex
	writers map[string]*Writer // by absolute path, or Stderr
}

// NewFiles returns an empty set; log receives write failures (nil: discard).
func NewFiles(log *slog.Logger) *Files {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Files{log: log, writers: map[string]*Writer{}}
}

// Open returns the writer of dest, a file path or Stderr, opening the file (O_APPEND|O_CREATE, mode 0600) the
// first time it is named. A relative path is taken from the working directory, as theme and plugin paths are.
func (fs *Files) Open(dest string) (*Writer, error) {
	key := Stderr
	if dest != Stderr {
		abs, err := filepath.Abs(dest)
		if err != nil {
			return nil, fmt.Errorf("audit log %s: %w", dest, err)
		}
		key = abs
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if w, ok := fs.writers[key]; ok {
		return w, nil
	}
	var w *Writer
	if key == Stderr {
		w = newWriter("", os.Stderr, nil, fs.log)
	} else {
		f, err := openFile(key)
		if err != nil {
			return nil, err
		}
		w = newWriter(key, f, f, fs.log)
	}
	fs.writers[key] = w
	return w, nil
}

// Sink returns the sink of one host: its events to dest (a path or Stderr), only kinds when not empty. An empty
// dest is no audit log: a nil Sink.
func (fs *Files) Sink(dest string, kinds []string) (events.Sink, error) {
	if dest == "" {
		return nil, nil
	}
	w, err := fs.Open(dest)
	if err != nil {
		return nil, err
	}
	return NewSink(w, kinds), nil
}

// Reopen reopens every file (after logrotate renamed them), reporting every failure; a file that cannot be
// reopened keeps being written where it was.
func (fs *Files) Reopen() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var errs []error
	for _, w := range fs.writers {
		if err := w.Reopen(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close closes every file. Events emitted after are counted lost.
func (fs *Files) Close() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var errs []error
	for _, w := range fs.writers {
		if err := w.close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
