package adminapi

import (
	"errors"
	"net/http"

	"github.com/assentry/assentry/core/admin"
)

// serveBackup streams the backup as it is written. Once the first byte is out the status is sent, so a failure
// after it aborts the connection instead: the client sees a truncated transfer, never a short file that looks
// whole.
func (a *API) serveBackup(w http.ResponseWriter, r *http.Request) {
	if a.backup == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "backups are not available on this server: this build "+
			"or setup provides no backup; stop the server and copy the data directory instead")
		return
	}
	name := "assentry-" + a.now().UTC().Format("20060102T150405Z") + ".backup"
	sw := &startedWriter{w: w, start: func() {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}}
	err := a.backup(r.Context(), sw)
	switch {
	case errors.Is(err, admin.ErrNoBackup) && !sw.started:
		// The store has no backup stream of its own (PostgreSQL is backed up with pg_dump): the server's setup,
		// not a failure, and not the client's mistake.
		writeError(w, http.StatusServiceUnavailable, "unavailable", "backups are not available on this server: its "+
			"store provides no backup stream (back a PostgreSQL store up with pg_dump)")
	case err == nil && !sw.started:
		sw.start()
		w.WriteHeader(http.StatusOK)
	case err != nil && !sw.started:
		a.log.Error("admin API: backup failed", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "the backup failed; the server log has the cause")
	case err != nil:
		a.log.Error("admin API: backup failed while streaming; aborting the transfer", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// startedWriter sets the headers before the first byte of the body and remembers that it did.
type startedWriter struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (s *startedWriter) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		s.start()
	}
	return s.w.Write(p)
}
