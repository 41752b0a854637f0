package audit

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"
)

// Stderr is the destination that writes to the process's standard error instead of a file.
const Stderr = "stderr"

// fileMode is the mode a new audit file is created with: it names users, clients and addresses.
const fileMode = 0o600

// maxWait bounds how long an event waits for the writer while another write is stuck (a full disk on a network
// filesystem, a stderr pipe nobody reads). Past it the event is dropped and counted: a request is never held
// up for long by its audit line.
const maxWait = time.Second

// Writer appends whole lines to one destination. A line is written with one call under the writer's lock, so
// lines of concurrent events never interleave, and a file opened with O_APPEND keeps them whole even when
// another process appends too. A failing write is logged once per run of failures, with how many lines were
// lost when writing works again.
type Writer struct {
	path string // "" for stderr
	log  *slog.Logger
	lock chan struct{} // a mutex with a bounded wait (maxWait)
	// blocked counts the lines dropped while the lock's holder was stuck; the first of a run is logged.
	blocked atomic.Int64

	// Guarded by lock.
	w       io.Writer
	f       *os.File // nil for stderr
	failing bool
	dropped int
}

// openFile opens path for appending, creating it with mode 0600.
func openFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return f, nil
}

func newWriter(path string, w io.Writer, f *os.File, log *slog.Logger) *Writer {
	return &Writer{path: path, w: w, f: f, log: log, lock: make(chan struct{}, 1)}
}

// Path is the file written to, or Stderr.
func (w *Writer) Path() string {
	if w.path == "" {
		return Stderr
	}
	return w.path
}

// acquire takes the lock, waiting at most maxWait.
func (w *Writer) acquire() bool {
	select {
	case w.lock <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(maxWait)
	defer t.Stop()
	select {
	case w.lock <- struct{}{}:
		return true
	case <-t.C:
		return false
	}
}

func (w *Writer) release() { <-w.lock }

// WriteLine writes line (which ends in a newline) whole, or counts it lost.
func (w *Writer) WriteLine(line []byte) {
	if !w.acquire() {
		// The lock's holder is stuck in a write; the next write that gets through reports the count.
		if w.blocked.Add(1) == 1 {
			w.log.Error("audit log: a write is blocked; lines are lost until it completes", "path", w.Path())
		}
		return
	}
	defer w.release()
	if n := w.blocked.Swap(0); n > 0 {
		w.dropped += int(n)
		w.failing = true
	}
	if w.w == nil {
		w.fail(errors.New("the file is closed"))
		return
	}
	if _, err := w.w.Write(line); err != nil {
		w.fail(err)
		return
	}
	if w.failing {
		w.log.Info("audit log: writing again", "path", w.Path(), "lines_lost", w.dropped)
		w.failing, w.dropped = false, 0
	}
}

// fail records a lost line; the first of a run is logged. Called with the lock held.
func (w *Writer) fail(err error) {
	w.dropped++
	if !w.failing {
		w.failing = true
		w.log.Error("audit log: write failed; lines are lost until it works again", "path", w.Path(), "err", err)
	}
}

// Reopen closes the file and opens its path again, so that a rotated file (renamed away by logrotate) is left
// for good and a new one is started. On error the old file is kept. It does nothing for stderr.
func (w *Writer) Reopen() error {
	if w.path == "" {
		return nil
	}
	f, err := openFile(w.path)
	if err != nil {
		return err
	}
	w.lock <- struct{}{} // no bounded wait: rotation must not be skipped
	old := w.f
	w.f, w.w = f, f
	w.release()
	if old != nil {
		return old.Close()
	}
	return nil
}

// close closes the file; later lines are counted lost.
func (w *Writer) close() error {
	if w.path == "" {
		return nil
	}
	w.lock <- struct{}{}
	defer w.release()
	f := w.f
	w.f, w.w = nil, nil
	if f == nil {
		return nil
	}
	return f.Close()
}
