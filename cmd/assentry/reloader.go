package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/httpapi"
	"github.com/assentry/assentry/core/metrics"
	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
)

// reloader owns the generations of a running server: the current one, which the HTTP layer and the admin socket
// serve, and those replaced but still draining. It reloads the configuration on SIGHUP and on the admin socket's
// OpReload, and it is the admin socket's dispatcher (admin.Dispatcher).
type reloader struct {
	g       *globals
	started *config.Settings // the server-wide settings in force since start (needsRestart compares with them)
	st      store.Store
	build   assembly.Options // the open policy engines and the logger every generation is built with
	log     *slog.Logger
	level   *slog.LevelVar
	ctx     context.Context // serve's: generations' goroutines and reloads run under it
	// backup is the store's backup, which every generation's dispatcher offers; audit, the audit files, reopened
	// on every reload; metrics, told of every generation's hosts; storeStats, what the metrics read of the store.
	backup     admin.BackupFunc
	audit      *audit.Files
	metrics    *metrics.Metrics
	storeStats *badgerstore.Store
	// inst is this process in the store's instance registry: every generation's static clients are announced
	// before they are synced (instance.go).
	inst *instance

	mu       sync.Mutex // one reload at a time; guards srv and closed
	srv      *httpapi.Server
	closed   bool
	cur      atomic.Pointer[generation]
	retiring sync.WaitGroup // replaced generations not yet released
}

var _ admin.Dispatcher = (*reloader)(nil)

// reloadResult is what a successful reload changed; `assentry reload` prints it.
type reloadResult struct {
	Config       string   `json:"config"` // the file read ("" for none)
	Added        []string `json:"added,omitempty"`
	Removed      []string `json:"removed,omitempty"`
	Updated      []string `json:"updated,omitempty"`   // hosts whose settings changed
	Unchanged    []string `json:"unchanged,omitempty"` // hosts with the same settings (rebuilt all the same)
	NeedsRestart []string `json:"needs_restart,omitempty"`
	Warnings     []string `json:"warnings,omitempty"`
	Millis       float64  `json:"duration_ms"`
}

// errNotServing refuses a reload while the server starts or stops: no configuration was read.
var errNotServing = errors.New("the server is not serving (starting or shutting down)")

// reloadError is a refused reload: every problem found, the running configuration kept.
type reloadError struct{ problems []string }

func (e *reloadError) Error() string {
	return "the configuration was not reloaded; the running one is kept:\n  " + strings.Join(e.problems, "\n  ")
}

// problemsOf splits an error into its problems: a configuration's every key path, every host's failure.
func problemsOf(err error) []string {
	var ce *config.Errors
	if errors.As(err, &ce) {
		var out []string
		for _, p := range ce.Problems {
			out = append(out, p.String())
		}
		return out
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, problemsOf(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

// start builds, prepares and starts the first generation, from the settings serve loaded.
func (r *reloader) start(s *config.Settings) (*generation, error) {
	gen, err := r.buildGeneration(s, nil)
	if err != nil {
		return nil, err
	}
	if err := r.inst.announce(r.ctx, gen); err != nil {
		gen.release()
		return nil, fmt.Errorf("announcing the instance in the store: %w", err)
	}
	if err := gen.prepare(r.ctx); err != nil {
		gen.release()
		r.inst.withdraw(r.ctx)
		return nil, err
	}
	gen.start(r.ctx, r.log)
	r.cur.Store(gen)
	r.watch(gen)
	return gen, nil
}

// buildGeneration builds a generation of s (buildGeneration) whose dispatcher offers the store's backup.
func (r *reloader) buildGeneration(s *config.Settings, prev *generation) (*generation, error) {
	gen, err := buildGeneration(r.ctx, s, r.st, r.build, prev)
	if err != nil {
		return nil, err
	}
	gen.admin.Backup = r.backup
	return gen, nil
}

// watch points the metrics at gen's hosts: their ids bound the host label, and their keys and plugins are read
// at every scrape.
func (r *reloader) watch(gen *generation) {
	if r.metrics != nil {
		watchMetrics(r.metrics, r.storeStats, gen.hosts)
	}
}

// StreamBackup implements admin.Dispatcher: a backup of the store, whatever the configuration, audited on the
// generation current when it ends. The backup holds no generation: one that takes minutes does not keep a
// replaced configuration from being released.
func (r *reloader) StreamBackup(ctx context.Context, w io.Writer) error {
	err := admin.ErrNoBackup
	if r.backup != nil {
		err = r.backup(ctx, w)
	}
	if !r.onCurrent(func(s *admin.Services) { s.AuditBackup(ctx, err) }) {
		r.log.Warn("a backup ended during shutdown", "actor", events.Actor(ctx), "err", err)
	}
	return err
}

// serving hands the reloader the HTTP server whose hosts it replaces.
func (r *reloader) serving(srv *httpapi.Server) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.srv = srv
}

// reload reads the configuration again and, if all of it is good, swaps in a new generation: the file and the
// environment are loaded and validated, every host is built with its plugins and theme, its static clients are
// synced and its keys ensured, and only then do the HTTP layer and the admin socket switch to it. Anything
// wrong keeps the running generation entirely; the error is a *reloadError listing every problem. trigger
// names what asked (for the log); the reload is audited with the actor ctx carries (auditReload).
func (r *reloader) reload(ctx context.Context, trigger string) (*reloadResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	// The audit files are reopened whatever becomes of the configuration: logrotate renames them and sends
	// SIGHUP (README "Audit log"). Not once the server is closing: the files are being closed.
	if r.audit != nil && !r.closed {
		if err := r.audit.Reopen(); err != nil {
			r.log.Error("reopening the audit log", "trigger", trigger, "err", err)
		}
	}
	res, err := r.reloadLocked()
	if err != nil {
		var re *reloadError
		if !errors.As(err, &re) {
			re = &reloadError{problems: problemsOf(err)}
		}
		for _, p := range re.problems {
			r.log.Error("configuration problem", "trigger", trigger, "problem", p)
		}
		r.log.Error("configuration not reloaded; the running one is kept", "trigger", trigger,
			"problems", len(re.problems), "config", r.g.configPath)
		r.auditReload(ctx, err)
		return nil, re
	}
	r.auditReload(ctx, nil)
	res.Millis = float64(time.Since(start).Microseconds()) / 1000
	r.log.Info("configuration reloaded", "trigger", trigger, "config", res.Config, "added", res.Added,
		"removed", res.Removed, "updated", res.Updated, "unchanged", res.Unchanged, "duration_ms", res.Millis)
	return res, nil
}

func (r *reloader) reloadLocked() (*reloadResult, error) {
	if r.closed || r.srv == nil {
		return nil, errNotServing
	}
	s, warnings, err := r.g.loadConfig()
	if err != nil {
		return nil, err
	}
	res := &reloadResult{Config: r.g.configPath, NeedsRestart: needsRestart(r.started, s)}
	for _, w := range warnings {
		r.log.Warn("configuration", "path", w.Path, "warning", w.Message)
		res.Warnings = append(res.Warnings, w.String())
	}
	old := r.cur.Load()
	next, err := r.buildGeneration(s, old)
	if err != nil {
		return nil, err
	}
	// Until the swap both generations serve: the instance declares the static clients of both, so the sync
	// deletes none of the running generation's (another instance's sync neither); those the new file drops go
	// after the swap.
	if err := r.inst.announce(r.ctx, old, next); err != nil {
		next.release()
		return nil, fmt.Errorf("announcing the instance in the store: %w", err)
	}
	abandon := func() {
		next.release()
		if err := r.inst.announce(r.ctx, old); err != nil {
			r.log.Error("renewing the instance's announcement", "instance", r.inst.id, "err", err)
		}
	}
	if err := next.prepare(r.ctx); err != nil {
		// What prepare wrote (static clients of hosts before the failing one) stays in the store; the hosts of
		// the running generation read their clients from it, as they would after the next good reload.
		abandon()
		return nil, err
	}
	httpDrained, err := r.srv.SetHosts(next.web)
	if err != nil {
		abandon()
		return nil, err
	}
	r.cur.Store(next)
	// The new file alone is declared now; the static clients no live instance declares any more are deleted.
	if err := r.inst.announce(r.ctx, next); err != nil {
		r.log.Error("renewing the instance's announcement", "instance", r.inst.id, "err", err)
	} else {
		r.inst.tend(r.ctx, next)
	}
	next.start(r.ctx, r.log)
	r.watch(next)
	r.retire(old, httpDrained)

	for _, n := range res.NeedsRestart {
		r.log.Warn("needs a restart; the running value is kept", "setting", n)
	}
	r.level.Set(parseLevel(s.LogLevel))
	res.Added, res.Removed, res.Updated, res.Unchanged = hostChanges(old.settings, s)
	for _, h := range s.Hosts {
		if slices.Contains(res.Added, h.ID) {
			r.log.Info("serving", "host", h.ID, "issuer", h.Issuer)
		}
	}
	return res, nil
}

// retire stops a replaced generation's goroutines now and releases its hosts once the HTTP requests
// (httpDrained) and admin operations that started on it are done.
func (r *reloader) retire(old *generation, httpDrained <-chan struct{}) {
	old.halt()
	adminDrained := old.gate.Retire()
	r.retiring.Add(1)
	go func() {
		defer r.retiring.Done()
		<-httpDrained
		<-adminDrained
		old.release()
		r.log.Debug("previous configuration released", "hosts", old.ids())
	}()
}

// Do runs one admin socket request: OpReload here, any other on the current generation's services, counted on
// its gate so that a reload does not release them under it.
func (r *reloader) Do(ctx context.Context, req admin.Request) admin.Response {
	if req.Op == admin.OpReload {
		res, err := r.reload(ctx, "admin socket")
		switch {
		case errors.Is(err, errNotServing):
			return admin.Response{Error: &admin.Error{Kind: admin.KindUnavailable, Message: err.Error()}}
		case err != nil:
			return admin.Response{Error: &admin.Error{Kind: admin.KindInvalid, Message: err.Error()}}
		}
		b, err := json.Marshal(res)
		if err != nil {
			return admin.Response{Error: &admin.Error{Kind: admin.KindInternal, Message: err.Error()}}
		}
		return admin.Response{Result: b}
	}
	for {
		gen := r.cur.Load()
		if gen.gate.Enter() {
			defer gen.gate.Leave()
			return gen.admin.Do(ctx, req)
		}
		if r.cur.Load() == gen {
			// Retired and not replaced: the server is shutting down (close). Trying again would spin.
			return admin.Response{Error: &admin.Error{Kind: admin.KindUnavailable, Message: "the server is shutting down"}}
		}
	}
}

// AuditRefused implements admin.Dispatcher on the current generation's audit log (a generation retired by a
// reload meanwhile is replaced by the next); during start-up or shutdown the event is logged instead.
func (r *reloader) AuditRefused(ctx context.Context, op, reason, ip string) {
	if !r.onCurrent(func(s *admin.Services) { s.AuditRefused(ctx, op, reason, ip) }) {
		r.log.Warn("admin API: a refused request while no configuration is served", "op", op, "reason", reason, "addr", ip)
	}
}

// onCurrent runs fn on the current generation's services, counted on its gate; a generation retired by a reload
// meanwhile is replaced by the next, as in Do. It reports false, without running fn, before the first
// generation started and during shutdown.
func (r *reloader) onCurrent(fn func(*admin.Services)) bool {
	for {
		gen := r.cur.Load()
		if gen == nil {
			return false // not started yet
		}
		if gen.gate.Enter() {
			defer gen.gate.Leave()
			fn(gen.admin)
			return true
		}
		if r.cur.Load() == gen {
			return false
		}
	}
}

// actorSignal is the actor of a reload asked for by SIGHUP: the signal does not say who sent it.
const actorSignal = "signal"

// auditReload records a reload as an admin.action of op admin.OpReload on the generation now current (the new
// one, or the one kept), with the actor of ctx: "uid:N" from the admin socket, actorSignal for SIGHUP. A
// refused configuration is outcome failed, reason invalid (the server log has its problems); a reload asked for
// while the server starts or stops, reason unavailable.
func (r *reloader) auditReload(ctx context.Context, err error) {
	ev := events.Event{Kind: events.AdminAction, Op: admin.OpReload, Outcome: events.OutcomeOK}
	switch {
	case errors.Is(err, errNotServing):
		ev.Outcome, ev.Reason = events.OutcomeFailed, admin.KindUnavailable
	case err != nil:
		ev.Outcome, ev.Reason = events.OutcomeFailed, admin.KindInvalid
	}
	if !r.onCurrent(func(s *admin.Services) { s.Audit(ctx, ev) }) {
		r.log.Warn("a reload not audited: no configuration is being served", "outcome", ev.Outcome, "reason", ev.Reason)
	}
}

// onSignals reloads on every SIGHUP until ctx ends; the outcome is logged by reload.
func (r *reloader) onSignals(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_, _ = r.reload(events.WithActor(ctx, actorSignal), "SIGHUP")
			}
		}
	}()
}

// close releases the current generation and waits, up to ctx, for the replaced ones to be released; the server
// calls it after the HTTP server and the admin socket have stopped, before it closes the engines and the store.
func (r *reloader) close(ctx context.Context) {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	// Stopping: the static clients only this instance declared may go at another instance's next sync.
	r.inst.withdraw(ctx)
	if gen := r.cur.Load(); gen != nil {
		select {
		case <-gen.gate.Retire(): // the admin socket has stopped: nothing should be left running on it
		case <-ctx.Done():
		}
		gen.release()
	}
	done := make(chan struct{})
	go func() {
		r.retiring.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		r.log.Error("a replaced configuration still had requests running at shutdown")
	}
}
