package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/httpapi"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
	"github.com/spf13/cobra"
)

func newServeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the authorization server",
		Long: "Run the authorization server. Without a configuration file it serves a development host on " +
			"http://127.0.0.1:8080 with its data in ./data. SIGINT or SIGTERM stop it cleanly.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return serve(cmd.Context(), g) },
	}
}

// startPolicies loads every host's policy plugins, watches their files, and reloads them all on SIGHUP.
func startPolicies(ctx context.Context, dataDir string, parts []*hostParts, log *slog.Logger) (func(), error) {
	registry, err := policyEngines()
	if err != nil {
		return nil, err
	}
	engines, err := registry.OpenAll(policy.EngineOptions{Log: log, CacheDir: filepath.Join(dataDir, "wasm-cache")})
	if err != nil {
		return nil, err
	}
	var managers []*policy.Manager
	closeAll := func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, m := range managers {
			_ = m.Close(cctx)
		}
		_ = policy.CloseEngines(cctx, engines)
	}
	for _, p := range parts {
		m, err := p.addPolicies(ctx, engines, log)
		if err != nil {
			closeAll()
			return nil, err
		}
		if m == nil {
			continue
		}
		if err := m.Watch(ctx); err != nil {
			log.Warn("policy files are not watched; reload with SIGHUP", "host", p.settings.ID, "err", err)
		}
		managers = append(managers, m)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		reloadPolicies(ctx, hup, log, managers)
		signal.Stop(hup)
	}()
	return closeAll, nil
}

// rotateKeys runs the key rotation step every minute until ctx ends.
func rotateKeys(ctx context.Context, p *hostParts, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := p.keys.Tick(ctx); err != nil && ctx.Err() == nil {
				log.Error("key rotation", "host", p.settings.ID, "err", err)
			}
		}
	}
}

func serve(ctx context.Context, g *globals) error {
	settings, warnings, err := g.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(settings.LogLevel)
	for _, w := range warnings {
		log.Warn("configuration", "path", w.Path, "warning", w.Message)
	}
	st, err := openStore(ctx, settings, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing the store", "err", err)
		}
	}()
	parts, adminSvc, err := buildHosts(settings, st, log)
	if err != nil {
		return err
	}
	if err := syncClients(ctx, parts); err != nil {
		return err
	}
	for _, p := range parts {
		if err := p.keys.Ensure(ctx); err != nil {
			return fmt.Errorf("host %s: signing keys: %w", p.settings.ID, err)
		}
		go rotateKeys(ctx, p, log)
	}
	closePolicies, err := startPolicies(ctx, settings.DataDir, parts, log)
	if err != nil {
		return err
	}
	defer closePolicies()
	hosts, err := httpHosts(parts)
	if err != nil {
		return err
	}
	probe := parts[0].settings.ID
	srv, err := httpapi.New(httpapi.Options{
		Hosts: hosts, TrustedProxies: settings.TrustedProxies, Logger: log,
		Ready: func(ctx context.Context) error {
			_, err := st.Users().Get(ctx, probe, "readiness-probe")
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", settings.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	adm, err := admin.Listen(settings.DataDir, adminSvc, log)
	if err != nil {
		ln.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	for _, h := range settings.Hosts {
		log.Info("serving", "host", h.ID, "issuer", h.Issuer)
	}
	log.Info("listening", "addr", ln.Addr().String(), "data_dir", settings.DataDir, "admin_socket", adm.Path())

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
	return err
}
