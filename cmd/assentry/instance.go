package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/store"
)

// instance is this server process as the store's instance registry knows it (store.InstanceRegistry): a random
// id per start, and an announcement of the static clients its configuration declares, renewed every heartbeat
// and withdrawn at a clean shutdown. Static clients are synced into the store at every start and reload; with
// several servers on one database, possibly on different configurations during a rolling deploy, a server
// deletes a config-declared client only when no live instance declares it (core/oauth clientsync.go).
type instance struct {
	id      string
	started time.Time
	reg     store.InstanceRegistry // nil: the store has none, and nothing is announced
	every   time.Duration          // the heartbeat; an announcement lives config.InstanceTTL(every)
	log     *slog.Logger
}

// newInstance names this process; reg may be nil.
func newInstance(st store.Store, every time.Duration, log *slog.Logger) *instance {
	reg, _ := st.(store.InstanceRegistry)
	return &instance{id: strings.ToLower(rand.Text()[:16]), started: time.Now().UTC(), reg: reg, every: every, log: log}
}

// announce records that this instance declares the static clients of every host of gens (the running
// generation and, during a reload, the next one: until the swap, both are served), for the next
// config.InstanceTTL(every).
func (in *instance) announce(ctx context.Context, gens ...*generation) error {
	if in.reg == nil {
		return nil
	}
	clients := map[string][]string{}
	for _, g := range gens {
		if g == nil {
			continue
		}
		for _, h := range g.hosts {
			for _, id := range h.DeclaredClients() {
				if !slices.Contains(clients[h.Settings.ID], id) {
					clients[h.Settings.ID] = append(clients[h.Settings.ID], id)
				}
			}
		}
	}
	return in.reg.Announce(ctx, &store.Instance{ID: in.id, StartedAt: in.started,
		ExpiresAt: time.Now().Add(config.InstanceTTL(in.every)).UTC(), Clients: clients})
}

// withdraw removes the announcement, so that the clients only this instance declared can go at the next sync or
// heartbeat of another one.
func (in *instance) withdraw(ctx context.Context) {
	if in.reg == nil {
		return
	}
	if err := in.reg.Withdraw(ctx, in.id); err != nil {
		in.log.Warn("withdrawing the instance's announcement (it lapses by itself)", "instance", in.id, "err", err)
	}
}

// tend runs every host's care of its static clients (assembly.Services.TendClients) and logs what it changed.
func (in *instance) tend(ctx context.Context, g *generation) {
	for _, h := range g.hosts {
		restored, removed, err := h.TendClients(ctx)
		if len(restored) > 0 {
			in.log.Warn("static clients were missing from the store and are written again", "host", h.Settings.ID,
				"clients", restored)
		}
		if len(removed) > 0 {
			in.log.Info("static clients no server declares any more are deleted", "host", h.Settings.ID, "clients", removed)
		}
		if err != nil && ctx.Err() == nil {
			in.log.Error("static clients", "host", h.Settings.ID, "err", err)
		}
	}
}

// heartbeat renews the announcement of the running generation and tends its static clients every in.every
// until ctx ends. It runs under the reloader's lock, so that it never announces the running generation alone
// while a reload has announced the next one too.
func (r *reloader) heartbeat(ctx context.Context) {
	if r.inst.reg == nil {
		return
	}
	go func() {
		t := time.NewTicker(r.inst.every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			r.mu.Lock()
			if gen := r.cur.Load(); !r.closed && gen != nil {
				if err := r.inst.announce(ctx, gen); err != nil && ctx.Err() == nil {
					r.log.Error("renewing the instance's announcement", "instance", r.inst.id, "err", err)
				} else {
					r.inst.tend(ctx, gen)
				}
			}
			r.mu.Unlock()
		}
	}()
}
