package adminapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/admin"
)

func TestBackup(t *testing.T) {
	t.Run("not available", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		a := e.expect(e.call(http.MethodGet, "/v1/backup", e.write, nil), http.StatusServiceUnavailable, "no backup")
		if a.errorCode() != "unavailable" || !strings.Contains(string(a.body), "not available") {
			t.Fatalf("body %s", a.body)
		}
	})
	t.Run("a store without a backup stream", func(t *testing.T) {
		// As the server wires it on PostgreSQL: the dispatcher's StreamBackup, whose store offers no stream.
		e := newEnv(t, envOptions{backup: (&admin.Services{}).StreamBackup})
		a := e.expect(e.call(http.MethodGet, "/v1/backup", e.write, nil), http.StatusServiceUnavailable, "no backup stream")
		if a.errorCode() != "unavailable" || !strings.Contains(string(a.body), "pg_dump") {
			t.Fatalf("body %s", a.body)
		}
	})
	t.Run("streamed", func(t *testing.T) {
		e := newEnv(t, envOptions{backup: func(_ context.Context, w io.Writer) error {
			for range 3 {
				if _, err := io.WriteString(w, strings.Repeat("x", 64<<10)); err != nil {
					return err
				}
			}
			return nil
		}})
		a := e.expect(e.call(http.MethodGet, "/v1/backup", e.write, nil), http.StatusOK, "backup")
		if len(a.body) != 3*64<<10 || a.header.Get("Content-Type") != "application/octet-stream" ||
			!strings.HasPrefix(a.header.Get("Content-Disposition"), `attachment; filename="assentry-`) {
			t.Fatalf("%d bytes, headers %v", len(a.body), a.header)
		}
		e.expect(e.call(http.MethodGet, "/v1/backup", e.read, nil), http.StatusForbidden, "read token")
		e.expect(e.call(http.MethodGet, "/v1/backup", "", nil), http.StatusUnauthorized, "no token")
	})
	t.Run("failing before the first byte", func(t *testing.T) {
		e := newEnv(t, envOptions{backup: func(context.Context, io.Writer) error { return errors.New("disk on fire") }})
		a := e.expect(e.call(http.MethodGet, "/v1/backup", e.write, nil), http.StatusInternalServerError, "failed backup")
		if strings.Contains(string(a.body), "fire") {
			t.Fatalf("the cause leaked: %s", a.body)
		}
	})
	t.Run("failing while streaming", func(t *testing.T) {
		e := newEnv(t, envOptions{backup: func(_ context.Context, w io.Writer) error {
			_, _ = io.WriteString(w, "partial")
			return errors.New("disk on fire")
		}})
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/backup", nil)
		req.Header.Set("Authorization", "Bearer "+e.write)
		// The connection is cut: before the headers arrive (the bytes were still buffered) or during the body.
		res, err := e.srv.Client().Do(req)
		if err == nil {
			defer res.Body.Close()
			_, err = io.ReadAll(res.Body)
		}
		if err == nil {
			t.Fatal("a backup that failed mid-stream was read as complete")
		}
	})
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.expect(e.call(http.MethodGet, "/metrics", "", nil), http.StatusNotFound, "no metrics handler")
	e = newEnv(t, envOptions{metrics: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "assentry_up 1\n")
	})})
	if a := e.expect(e.call(http.MethodGet, "/metrics", "", nil), http.StatusOK, "metrics"); string(a.body) != "assentry_up 1\n" {
		t.Fatalf("metrics body %q", a.body)
	}
}

func TestUnrouted(t *testing.T) {
	e := newEnv(t, envOptions{})
	if a := e.call(http.MethodGet, "/v2/anything", e.read, nil); a.status != http.StatusNotFound || a.errorCode() != "not_found" {
		t.Fatalf("unknown path: %d %s", a.status, a.body)
	}
	a := e.call(http.MethodPatch, "/v1/hosts/main/users", e.write, nil)
	if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "GET, POST" {
		t.Fatalf("wrong method: %d Allow %q %s", a.status, a.header.Get("Allow"), a.body)
	}
}
