package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/httpapi"
	"github.com/assentry/assentry/core/inflight"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/themes/watch"
)

// generation is everything built from one configuration: every host's services, its theme, the management
// dispatcher over them and the per-host goroutines (key rotation, plugin file watchers). `assentry serve` starts
// with one and each reload builds the next; the HTTP layer and the admin socket switch to it at once, and the
// previous one is released once the requests and operations that started on it are done (docs/architecture.md §2).
type generation struct {
	settings *config.Settings
	hosts    []*assembly.Services
	web      []*httpapi.Host // the same hosts with their themes, for the HTTP layer
	admin    *admin.Services
	// gate counts the admin operations running on this generation (the HTTP layer counts its requests on its
	// own host table).
	gate *inflight.Gate
	// hashers are the hosts' password hashers, which the next generation takes over where it can.
	hashers *hashers

	stop  context.CancelFunc // ends the per-host goroutines; set by start
	tasks sync.WaitGroup
}

// buildGeneration builds every host of s on the open store, with its theme. Nothing is written to the store
// (see prepare), so a configuration that fails here leaves no trace. Every host and every theme is tried, and
// the error joins all their failures. prev, the running generation if any, lends its password hashers.
func buildGeneration(ctx context.Context, s *config.Settings, st store.Store, o assembly.Options, prev *generation) (*generation, error) {
	var prevHashers *hashers
	if prev != nil {
		prevHashers = prev.hashers
	}
	hs := newHashers(prevHashers)
	o.NewHasher = hs.get
	themes, themeErr := loadThemes(s)
	hosts, svc, err := buildHosts(ctx, s, st, o)
	if err != nil || themeErr != nil {
		if err == nil {
			closeHosts(hosts)
		}
		return nil, errors.Join(err, themeErr)
	}
	web := make([]*httpapi.Host, len(hosts))
	for i, h := range hosts {
		web[i] = httpapi.NewHost(h, themes[i])
	}
	return &generation{settings: s, hosts: hosts, web: web, admin: svc, gate: inflight.New(), hashers: hs,
		stop: func() {}}, nil
}

// prepare writes what every host needs before it serves: the static clients of the file (synced: added, changed,
// and those no longer declared removed unless another live instance declares them) and a signing key per
// algorithm.
func (g *generation) prepare(ctx context.Context) error {
	for _, h := range g.hosts {
		if err := h.Prepare(ctx); err != nil {
			return err
		}
	}
	return nil
}

// start runs the per-host goroutines until stop: key rotation, and the watches on the plugin files and on the
// theme directory.
func (g *generation) start(ctx context.Context, log *slog.Logger) {
	ctx, g.stop = context.WithCancel(ctx)
	for i, h := range g.hosts {
		if err := h.Policies.Watch(ctx); err != nil {
			log.Warn("policy files are not watched; reload with SIGHUP", "host", h.Settings.ID, "err", err)
		}
		g.watchTheme(ctx, h.Settings.ID, h.Settings.Theme, g.web[i], log)
		g.tasks.Add(1)
		go func() {
			defer g.tasks.Done()
			rotateKeys(ctx, h, log)
		}()
	}
}

// watchTheme swaps every version of a host's theme directory that loads into the host (live reload); the watch
// ends with the generation, and the next generation loads the directory afresh.
func (g *generation) watchTheme(ctx context.Context, id, dir string, web *httpapi.Host, log *slog.Logger) {
	if dir == "" {
		return
	}
	done, err := watch.Start(ctx, dir, web.Theme, watch.Options{Log: log, Attrs: []any{"host", id}})
	if err != nil {
		log.Warn("the theme directory is not watched; reload with SIGHUP", "host", id, "dir", dir, "err", err)
		return
	}
	g.tasks.Add(1)
	go func() {
		defer g.tasks.Done()
		<-done
	}()
}

// halt ends the per-host goroutines and waits for them: a replaced generation no longer rotates keys or reloads
// plugins, though requests that started on it may still be running.
func (g *generation) halt() {
	g.stop()
	g.tasks.Wait()
}

// release unloads the hosts' plugins. Only once nothing runs on the generation any more.
func (g *generation) release() {
	g.halt()
	closeHosts(g.hosts)
}

// rotateKeys runs the key rotation step every minute until ctx ends.
func rotateKeys(ctx context.Context, h *assembly.Services, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h.Keys.Tick(ctx); err != nil && ctx.Err() == nil {
				log.Error("key rotation", "host", h.Settings.ID, "err", err)
			}
		}
	}
}

// ids lists the generation's host ids, in the file's order.
func (g *generation) ids() []string {
	out := make([]string, len(g.hosts))
	for i, h := range g.hosts {
		out[i] = h.Settings.ID
	}
	return out
}
