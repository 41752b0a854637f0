package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/adminapi"
)

// adminHTTP is the admin listener: the admin API and /metrics on admin_listen (never the public listener).
type adminHTTP struct {
	srv *http.Server
	ln  net.Listener
}

// listenAdminHTTP starts the admin listener on addr (already checked by the configuration: loopback unless
// admin_listen_allow_remote). Its timeouts are fixed rather than configured: its clients are the operator's own
// tools, and a backup may take minutes to stream, so only the write side is generous.
func listenAdminHTTP(addr string, tokens *admin.Services, d admin.Dispatcher, metrics http.Handler, log *slog.Logger) (*adminHTTP, error) {
	api, err := adminapi.New(adminapi.Options{Services: tokens, Dispatcher: d, Metrics: metrics, Backup: d.StreamBackup,
		Log: log.With("component", "admin-api")})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin_listen: %w", err)
	}
	a := &adminHTTP{ln: ln, srv: &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: time.Hour, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin listener stopped", "err", err)
		}
	}()
	return a, nil
}

// Addr is the address the admin listener is bound to.
func (a *adminHTTP) Addr() string { return a.ln.Addr().String() }

// Close stops the admin listener, letting running requests finish until ctx ends.
func (a *adminHTTP) Close(ctx context.Context) error { return a.srv.Shutdown(ctx) }
