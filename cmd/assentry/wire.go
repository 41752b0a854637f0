package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/httpapi"
	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
	"github.com/assentry/assentry/themes"
)

// This file is the one composition root: it picks the store backend, has core/assembly build each host's
// services from the settings, and hands them to the HTTP layer and the management commands.

// openStore opens the configured backend (Badger in data_dir, the embedded default). It returns the Badger store
// itself, not a store.Store, so that serve can ask it whether it accepts writes (Writable) for /readyz, and back
// it up. A store of a newer format is refused here; one of an older format opens, and the caller decides
// (requireFormat in storeformat.go).
func openStore(ctx context.Context, s *config.Settings, log *slog.Logger) (*badgerstore.Store, error) {
	return openObservedStore(ctx, s, log, nil)
}

// openObservedStore is openStore with an Observer of the store's operations and commits (serve's metrics).
func openObservedStore(ctx context.Context, s *config.Settings, log *slog.Logger, obs badgerstore.Observer) (*badgerstore.Store, error) {
	if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	st, err := badgerstore.Open(ctx, badgerstore.Options{Dir: s.DataDir, Logger: log, Version: buildInfo().Version, Observer: obs,
		MemTableSize: s.Store.MemTableSize, BlockCacheSize: s.Store.BlockCacheSize, IndexCacheSize: s.Store.IndexCacheSize})
	if errors.Is(err, badgerstore.ErrLocked) {
		return nil, fmt.Errorf("the data directory %s is in use by another process: %w", s.DataDir, err)
	}
	return st, err
}

// buildHosts makes the core services of every host on an open store, and the management dispatcher over them.
// On error, the hosts already built are closed.
func buildHosts(ctx context.Context, s *config.Settings, st store.Store, o assembly.Options) ([]*assembly.Services, *admin.Services, error) {
	var hosts []*assembly.Services
	svc := &admin.Services{Hosts: map[string]*admin.HostServices{}, AdminTokens: st.AdminTokens()}
	for i := range s.Hosts {
		h, err := assembly.Build(ctx, &s.Hosts[i], st, o)
		if err != nil {
			closeHosts(hosts)
			return nil, nil, err
		}
		hosts = append(hosts, h)
		svc.Hosts[h.Settings.ID] = &admin.HostServices{Accounts: h.Accounts, Clients: h.Clients, Keys: h.Keys,
			Registry: h.Registry, Events: h.Events, Grants: st.Grants(),
			Info: admin.HostInfo{ID: h.Settings.ID, Issuer: h.Settings.Issuer, Hostnames: h.Settings.Hostnames}}
		if svc.Default == "" {
			svc.Default = h.Settings.ID
		}
	}
	return hosts, svc, nil
}

// closeHosts unloads every host's plugins.
func closeHosts(hosts []*assembly.Services) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, h := range hosts {
		_ = h.Close(ctx)
	}
}

// httpHosts adds each host's theme to its services for the HTTP layer.
func httpHosts(hosts []*assembly.Services) ([]*httpapi.Host, error) {
	var out []*httpapi.Host
	for _, h := range hosts {
		theme, err := themes.Load(h.Settings.Theme)
		if err != nil {
			return nil, fmt.Errorf("host %s: theme: %w", h.Settings.ID, err)
		}
		out = append(out, httpapi.NewHost(h, theme))
	}
	return out, nil
}

// auditSinks is assembly.Options.Events: each host's events go to its audit.file (none when off), keeping its
// audit.events, and to every shared sink (the metrics); hosts that name the same file share one writer of files.
func auditSinks(files *audit.Files, shared ...events.Sink) func(h *config.HostSettings) (events.Sink, error) {
	return func(h *config.HostSettings) (events.Sink, error) {
		a, err := files.Sink(h.Audit.File, h.Audit.Events)
		if err != nil {
			return nil, err
		}
		var all events.Multi
		if a != nil {
			all = append(all, a)
		}
		return append(all, shared...), nil
	}
}

// reopenAuditOnHUP reopens every audit file on SIGHUP (after logrotate renamed them) until ctx ends.
func reopenAuditOnHUP(ctx context.Context, files *audit.Files, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := files.Reopen(); err != nil {
					log.Error("reopening the audit log", "err", err)
				}
			}
		}
	}()
}
