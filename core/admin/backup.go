package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/assentry/assentry/core/events"
)

// BackupFunc writes a full backup of the store to w; the store backend provides it ((*badger.Store).Backup).
type BackupFunc func(ctx context.Context, w io.Writer) error

// ErrNoBackup: the server offers no backup of its store (Services.Backup is nil).
var ErrNoBackup = errors.New("this server's store cannot be backed up over the admin socket")

// OpBackup names a backup in the audit log's admin.action events. It is no operation of Do: a backup is
// streamed (StreamBackup), not answered.
const OpBackup = "backup"

// StreamBackup implements Dispatcher with s.Backup, and audits the backup (AuditBackup).
func (s *Services) StreamBackup(ctx context.Context, w io.Writer) error {
	err := ErrNoBackup
	if s.Backup != nil {
		err = s.Backup(ctx, w)
	}
	s.AuditBackup(ctx, err)
	return err
}

// AuditBackup records a backup that ended with err (nil: taken) as an admin.action of op OpBackup, with the
// actor ctx carries, on the default host's log as server-wide operations are: a backup holds every password
// hash, secret digest and sealed key of the server, so who took one, and when, belongs in the audit log.
func (s *Services) AuditBackup(ctx context.Context, err error) {
	ev := events.Event{Kind: events.AdminAction, Host: s.Default, Op: OpBackup, Outcome: events.OutcomeOK}
	switch {
	case errors.Is(err, ErrNoBackup):
		ev.Outcome, ev.Reason = events.OutcomeFailed, KindUnavailable
	case err != nil:
		ev.Outcome, ev.Reason = events.OutcomeFailed, classify(err).Kind
	}
	s.emitterOf(s.Default).Emit(ctx, ev)
}

// backupPath streams a backup of the running server's store; POST, since every call takes a snapshot.
const backupPath = "/v1/backup"

// backupHandler streams svc.Backup to the client. A failure before the first byte is a 500 with the reason; a
// failure after it cuts the connection, so the client sees a stream without its trailer and keeps no file.
func backupHandler(svc Dispatcher, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		sw := &startedWriter{w: w}
		err := svc.StreamBackup(r.Context(), sw)
		if err == nil {
			return
		}
		if errors.Is(err, ErrNoBackup) && !sw.started {
			w.Header().Del("Content-Type")
			http.Error(w, err.Error(), http.StatusNotImplemented)
			return
		}
		log.Error("backup over the admin socket failed", "err", err)
		if !sw.started {
			http.Error(w, "backup failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		panic(http.ErrAbortHandler)
	}
}

// startedWriter remembers whether anything was written, which decides how a failure is reported.
type startedWriter struct {
	w       io.Writer
	started bool
}

func (s *startedWriter) Write(p []byte) (int, error) {
	s.started = true
	return s.w.Write(p)
}

// Backup streams a full backup of the running server's store to w. It has the BackupFunc signature, so the
// CLI writes a backup the same way whether it comes from the socket or from a store opened directly. It is
// bounded by ctx only: a large store takes longer than the client's timeout for operations.
func (c *Client) Backup(ctx context.Context, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://admin"+backupPath, nil)
	if err != nil {
		return err
	}
	hc := *c.http
	hc.Timeout = 0
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
		return fmt.Errorf("admin socket: %s: %s", res.Status, strings.TrimSpace(string(msg)))
	}
	if _, err := io.Copy(w, res.Body); err != nil {
		return fmt.Errorf("admin socket: the backup stream broke off: %w", err)
	}
	return nil
}
