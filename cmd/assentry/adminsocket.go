package main

import (
	"log/slog"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/config"
)

// listenAdmin opens the server's admin socket: at admin_socket when the configuration sets it (under systemd,
// in the RuntimeDirectory, since PrivateTmp gives the service a /tmp the CLI cannot see), otherwise at the
// path derived from the data directory under the user's temp directory.
func listenAdmin(s *config.Settings, svc admin.Dispatcher, log *slog.Logger) (*admin.Server, error) {
	if s.AdminSocket != "" {
		return admin.ListenAt(s.AdminSocket, svc, log)
	}
	return admin.Listen(s.DataDir, svc, log)
}

// dialAdmin reaches a running server's admin socket where listenAdmin put it, reading the same configuration.
func dialAdmin(s *config.Settings) (*admin.Client, error) {
	if s.AdminSocket != "" {
		return admin.DialAt(s.AdminSocket)
	}
	return admin.Dial(s.DataDir)
}
