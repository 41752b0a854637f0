package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/httpapi"
	"github.com/assentry/assentry/core/metrics"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
	"github.com/spf13/cobra"
)

func newServeCmd(g *globals) *cobra.Command {
	var pprofAddr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the authorization server",
		Long: "Run the authorization server. Without a configuration file it serves a development host on " +
			"http://127.0.0.1:8080 with its data in ./data. SIGINT or SIGTERM stop it cleanly; a store that cannot be " +
			"flushed within 10 s (an unwritable data directory) ends it with exit status 1.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return serve(cmd.Context(), g, pprofAddr) },
	}
	cmd.Flags().StringVar(&pprofAddr, "pprof", "",
		"serve Go's runtime profiles (/debug/pprof/) on this loopback address, such as 127.0.0.1:6060")
	return cmd
}

// fresh reports whether serve is about to create what it keeps in the data directory: a Badger store (the
// directory missing or holding none), or with PostgreSQL the directory of the engines' caches.
func fresh(s *config.Settings) bool {
	if s.Store.Backend == config.StorePostgres {
		_, err := os.Stat(s.DataDir)
		return errors.Is(err, fs.ErrNotExist)
	}
	return !holdsStore(s.DataDir)
}

// preflight checks, before a first start creates anything, what `assentry config check` checks beyond the keys
// (themes, plugins, audit files, the data directory), so that a configuration that cannot start leaves no data
// directory, store or compilation cache behind. A later start skips it: its store and caches exist already, and
// the plugins are loaded once, by the start itself.
func preflight(ctx context.Context, g *globals) error {
	in := config.Inspect(g.configPath, os.Environ())
	if in.Err != nil {
		return in.Err
	}
	sum := checkFiles(ctx, in.Settings, in.Sources, true)
	if len(sum.problems) == 0 {
		return nil
	}
	return fmt.Errorf("refusing to start; nothing was created in %s%s:\n%s", absPath(in.Settings.DataDir),
		derivedFrom(in.Settings.DataDirOrigin), strings.Join(sum.problems, "\n"))
}

// openEngines opens the policy engines every host's plugins run on; the returned function closes them, after the
// hosts' plugins are closed.
func openEngines(dataDir string, log *slog.Logger) (map[string]policy.Engine, func(), error) {
	registry, err := policyEngines()
	if err != nil {
		return nil, nil, err
	}
	engines, err := registry.OpenAll(policy.EngineOptions{Log: log, CacheDir: filepath.Join(dataDir, "wasm-cache")})
	if err != nil {
		return nil, nil, err
	}
	return engines, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = policy.CloseEngines(ctx, engines)
	}, nil
}

// serve runs the server until ctx ends. Its error, and so the exit status, also reports a store that could not be
// closed: Store.Close is bounded (store/badger's CloseTimeout), so a data directory that became unwritable ends the
// process with status 1 and the reason instead of a shutdown that never finishes.
func serve(ctx context.Context, g *globals, pprofAddr string) (err error) {
	settings, warnings, err := g.loadConfig()
	if err != nil {
		return err
	}
	log, level := newLogger(settings.LogLevel)
	for _, w := range warnings {
		log.Warn("configuration", "path", w.Path, "warning", w.Message)
	}
	if pprofAddr != "" {
		if _, err := servePprof(pprofAddr, log); err != nil {
			return err
		}
	}
	if fresh(settings) {
		if err := preflight(ctx, g); err != nil {
			return err
		}
	}
	met := newMetrics(settings) // served at /metrics on the admin listener
	st, err := openObservedStore(ctx, settings, log, met)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			log.Error("closing the store", "err", cerr)
			err = errors.Join(err, fmt.Errorf("closing the store: %w", cerr))
		}
	}()
	if err := g.requireFormat(ctx, st, settings, log); err != nil {
		return err
	}
	startSweep(ctx, st, log)
	engines, closeEngines, err := openEngines(settings.DataDir, log)
	if err != nil {
		return err
	}
	defer closeEngines()
	// The hosts live in generations (generation.go): the first is built here, and each reload (reloader.go)
	// builds the next on the same store and engines and swaps it in. Everything below serves whichever is
	// current: the HTTP server through its host table, the admin socket through the reloader.
	// Every generation's hosts report their events to their audit files and to the metrics; the audit files are
	// reopened on every reload (after logrotate renamed them).
	auditFiles := audit.NewFiles(log)
	defer auditFiles.Close()
	r := &reloader{g: g, started: settings, st: st, log: log, level: level, ctx: ctx,
		build: assembly.Options{Engines: engines, Log: log, Events: auditSinks(auditFiles, met), PolicyObserver: met,
			PolicyCache: filepath.Join(settings.DataDir, "policy-cache")},
		backup: backupOf(st), audit: auditFiles, metrics: met, inst: newInstance(st, settings.Store.Heartbeat, log)}
	log.Info("instance", "id", r.inst.id, "heartbeat", settings.Store.Heartbeat)
	if b, ok := st.(*badgerstore.Store); ok {
		r.storeStats = b
	}
	// SIGHUP is caught from here on (its default action ends the process); until the server serves, a reload
	// is refused and logged.
	r.onSignals(ctx)
	first, err := r.start(settings)
	if err != nil {
		return err
	}
	r.heartbeat(ctx)
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		r.close(cctx)
	}()
	srv, err := newHTTPServer(settings, first, st, log, met, r.inst.id)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", settings.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	adm, err := listenAdmin(settings, r, log)
	if err != nil {
		ln.Close()
		return err
	}
	var admHTTP *adminHTTP
	if settings.AdminListen != "" {
		if admHTTP, err = listenAdminHTTP(settings.AdminListen, first.admin, r, met.Handler(), log); err != nil {
			ln.Close()
			_ = adm.Close(ctx)
			return err
		}
		log.Info("admin API listening", "addr", admHTTP.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	r.serving(srv)
	for _, h := range settings.Hosts {
		log.Info("serving", "host", h.ID, "issuer", h.Issuer)
	}
	log.Info("listening", "addr", ln.Addr().String(), "data_dir", settings.DataDir, "admin_socket", adm.Path(),
		"instance", r.inst.id)

	select {
	case err = <-served:
		err = fmt.Errorf("http server stopped: %w", err)
	case <-ctx.Done():
		log.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if e := srv.Shutdown(sctx); e != nil {
		log.Error("http shutdown", "err", e)
	}
	if e := adm.Close(sctx); e != nil {
		log.Error("admin socket shutdown", "err", e)
	}
	if admHTTP != nil {
		if e := admHTTP.Close(sctx); e != nil {
			log.Error("admin listener shutdown", "err", e)
		}
	}
	return err
}

// newHTTPServer makes the HTTP server of the first generation's hosts, with the server-wide settings, which
// stay as they are until a restart (needsRestart).
func newHTTPServer(settings *config.Settings, first *generation, st backend, log *slog.Logger, met *metrics.Metrics, instance string) (*httpapi.Server, error) {
	probe := first.hosts[0].Settings.ID
	return httpapi.New(httpapi.Options{
		Hosts: first.web, TrustedProxies: settings.TrustedProxies, Logger: log, Observer: met, Instance: instance,
		Limits: httpapi.Limits{
			ReadHeaderTimeout: settings.HTTP.ReadHeaderTimeout, ReadBodyTimeout: settings.HTTP.ReadBodyTimeout,
			WriteTimeout: settings.HTTP.WriteTimeout, IdleTimeout: settings.HTTP.IdleTimeout,
			MaxConnections: settings.HTTP.MaxConnections, MaxConnectionsPerIP: settings.HTTP.MaxConnectionsPerIP,
		},
		// Ready: the store accepts writes (not below its free-space watermark) and answers a read (of a user that
		// does not exist, under the first host's id: any id will do, so a reload leaves the probe as it is).
		Ready: func(ctx context.Context) error {
			if err := st.Writable(); err != nil {
				return err
			}
			_, err := st.Users().Get(ctx, probe, "readiness-probe")
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		},
	})
}
