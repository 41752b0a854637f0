package admin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestSocketBackup streams backups over a real admin socket: the bytes arrive whole, a failure before the
// first byte arrives as its message, a failure in the middle breaks the stream, and a server without a backup
// function says so.
func TestSocketBackup(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, many chunks
	tests := []struct {
		name    string
		backup  BackupFunc
		wantErr string // empty: the payload arrives
	}{
		{name: "whole", backup: func(_ context.Context, w io.Writer) error { _, err := w.Write(payload); return err }},
		{name: "fails at once", backup: func(context.Context, io.Writer) error { return errors.New("store: closed") },
			wantErr: "store: closed"},
		{name: "fails midway", backup: func(_ context.Context, w io.Writer) error {
			if _, err := w.Write(payload[:len(payload)/2]); err != nil {
				return err
			}
			return errors.New("disk read error")
		}, wantErr: "broke off"},
		{name: "not offered", wantErr: "cannot be backed up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			svc := newServices(t)
			svc.Backup = tt.backup
			srv, err := Listen(dataDir, svc, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close(context.Background())
			cl, err := Dial(dataDir)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			err = cl.Backup(t.Context(), &got)
			if tt.wantErr == "" {
				if err != nil || !bytes.Equal(got.Bytes(), payload) {
					t.Fatalf("backup: %v, %d bytes of %d", err, got.Len(), len(payload))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("backup: %v, want an error saying %q", err, tt.wantErr)
			}
		})
	}
}
