package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
	pgstore "github.com/assentry/assentry/store/postgres"
	"github.com/assentry/assentry/themes"
)

// This file is the one composition root: it picks the store backend, has core/assembly build each host's
// services from the settings, and hands them to the HTTP layer and the management commands.

// backend is what serve and the management commands need of an open store, whichever backend the configuration
// picks: the store itself, its format (requireFormat, assentry migrate), and whether it accepts writes now (for
// /readyz). What only one backend has is asked for with a type assertion where it is used: a backup stream and
// the Badger statistics (badgerstore.Store), restore's EndRefreshChains (Badger only so far).
type backend interface {
	store.Store
	store.Migrator
	// Writable is nil while the store accepts writes (Badger: above its free-space watermark).
	Writable() error
}

var (
	_ backend = (*badgerstore.Store)(nil)
	_ backend = (*pgstore.Store)(nil)
)

// openStore opens the configured backend for a management command: Badger in data_dir (the embedded default;
// the data directory must exist, datadir.go says why) or PostgreSQL at store.dsn. A store of a newer format is
// refused here; one of an older format opens, and the caller decides (requireFormat in storeformat.go).
func openStore(ctx context.Context, s *config.Settings, log *slog.Logger) (backend, error) {
	if s.Store.Backend == config.StorePostgres {
		return openPostgres(ctx, s, log, nil)
	}
	if err := prepareDataDir(s, false, ""); err != nil {
		return nil, err
	}
	return asBackend(openBadger(ctx, s, log, nil))
}

// openObservedStore is serve's openStore: for Badger it creates a missing data directory; on either backend obs
// is told of the store's operations and commits (serve's metrics).
func openObservedStore(ctx context.Context, s *config.Settings, log *slog.Logger, obs store.Observer) (backend, error) {
	if s.Store.Backend == config.StorePostgres {
		return openPostgres(ctx, s, log, obs)
	}
	if err := prepareDataDir(s, true, ""); err != nil {
		return nil, err
	}
	// A `config check` reading the store holds a shared lock for a moment: wait it out rather than fail the start.
	// Another server holds it for good, and is reported once lockWait has passed.
	deadline := time.Now().Add(lockWait)
	for {
		st, err := openBadger(ctx, s, log, obs)
		if !errors.Is(err, badgerstore.ErrLocked) || time.Now().After(deadline) {
			return asBackend(st, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lockWait is how long serve waits for a Badger data directory another process holds.
const lockWait = 5 * time.Second

// storeName names the configured store in messages: its data directory, or the PostgreSQL database.
func storeName(s *config.Settings) string {
	if s.Store.Backend == config.StorePostgres {
		return "the PostgreSQL database (store.dsn)"
	}
	return s.DataDir
}

// openPostgres opens the PostgreSQL store at store.dsn. An empty database gets the current schema as it opens.
func openPostgres(ctx context.Context, s *config.Settings, log *slog.Logger, obs store.Observer) (backend, error) {
	return asBackend(pgstore.Open(ctx, pgstore.Options{DSN: s.Store.DSN, MaxConns: int32(s.Store.MaxConns),
		ConnectTimeout: s.Store.ConnectTimeout, Logger: log, Observer: obs}))
}

// asBackend returns an opened store as a backend, and a nil interface (not a nil pointer in one) on error.
func asBackend[T backend](st T, err error) (backend, error) {
	if err != nil {
		return nil, err
	}
	return st, nil
}

// backupOf is the backend's own backup stream, nil when it has none (PostgreSQL: pg_dump backs it up).
func backupOf(st backend) admin.BackupFunc {
	if b, ok := st.(*badgerstore.Store); ok {
		return b.Backup
	}
	return nil
}

func openBadger(ctx context.Context, s *config.Settings, log *slog.Logger, obs store.Observer) (*badgerstore.Store, error) {
	st, err := badgerstore.Open(ctx, badgerstore.Options{Dir: s.DataDir, Logger: log, Version: buildInfo().Version, Observer: obs,
		MemTableSize: s.Store.MemTableSize, BlockCacheSize: s.Store.BlockCacheSize, IndexCacheSize: s.Store.IndexCacheSize})
	if errors.Is(err, badgerstore.ErrLocked) {
		return nil, fmt.Errorf("the data directory %s is in use by another process: %w", s.DataDir, err)
	}
	return st, err
}

// buildHosts makes the core services of every host on an open store, and the management dispatcher over them.
// A host that fails does not stop the others from being tried: the error joins every host's failure, so an
// operator fixes them in one round (a reload reports them all). On error, the hosts built are closed.
func buildHosts(ctx context.Context, s *config.Settings, st store.Store, o assembly.Options) ([]*assembly.Services, *admin.Services, error) {
	var hosts []*assembly.Services
	var errs []error
	svc := &admin.Services{Hosts: map[string]*admin.HostServices{}, AdminTokens: st.AdminTokens()}
	for i := range s.Hosts {
		h, err := assembly.Build(ctx, &s.Hosts[i], st, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		hosts = append(hosts, h)
		svc.Hosts[h.Settings.ID] = &admin.HostServices{Accounts: h.Accounts, Clients: h.Clients, Keys: h.Keys,
			Registry: h.Registry, Events: h.Events, Grants: st.Grants(),
			Info: admin.HostInfo{ID: h.Settings.ID, Issuer: h.Settings.Issuer, Hostnames: h.Settings.Hostnames}}
		if svc.Default == "" {
			svc.Default = h.Settings.ID
		}
	}
	if len(errs) > 0 {
		closeHosts(hosts)
		return nil, nil, errors.Join(errs...)
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

// loadThemes loads the theme of every host of s (and renders its pages with sample data), in the order of
// s.Hosts. Every theme is tried, so all broken themes are reported together.
func loadThemes(s *config.Settings) ([]*themes.Theme, error) {
	var out []*themes.Theme
	var errs []error
	for _, h := range s.Hosts {
		theme, err := themes.Load(h.Theme)
		if err != nil {
			errs = append(errs, fmt.Errorf("host %s: theme: %w", h.ID, err))
		}
		out = append(out, theme)
	}
	return out, errors.Join(errs...)
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
