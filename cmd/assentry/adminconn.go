package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/audit"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/events"
)

// run carries one management operation to the store. Badger admits one process: over the admin socket when a
// server is running on the data directory, otherwise on the store opened here. PostgreSQL admits any number of
// processes, so the operation always runs on the database opened here, whether servers are running (any
// number, anywhere) or not: they read what it wrote from the database (README "Command line" says how soon).
// Every path runs admin.Services.Do.
func (g *globals) run(ctx context.Context, op string, args, out any) error {
	settings, _, err := g.loadConfig()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return err
	}
	req := admin.Request{Op: op, Host: g.host, Args: raw}
	var resp admin.Response
	if settings.Store.Backend == config.StorePostgres {
		if resp, err = g.runHere(ctx, settings, req); err != nil {
			return err
		}
		return decodeResponse(resp, out)
	}
	cl, err := dialAdmin(settings)
	switch {
	case err == nil:
		if resp, err = cl.Do(ctx, req); err != nil {
			return err
		}
	case errors.Is(err, admin.ErrNoServer):
		if err := prepareDataDir(settings, false, ""); err != nil {
			return err // looking in the wrong place (datadir.go): not a matter of the admin socket
		}
		if resp, err = g.runHere(ctx, settings, req); err != nil {
			return err
		}
	default:
		return err
	}
	return decodeResponse(resp, out)
}

// runHere runs req on the store opened by this process. The services act on the store directly; they run no
// policy hook, so plugins stay unloaded. The action is audited as a server would audit it (the host's audit
// settings), with this process's uid as the actor.
func (g *globals) runHere(ctx context.Context, settings *config.Settings, req admin.Request) (admin.Response, error) {
	log := slog.New(slog.DiscardHandler)
	st, err := openStore(ctx, settings, log)
	if err != nil {
		if settings.Store.Backend == config.StorePostgres {
			return admin.Response{}, err
		}
		return admin.Response{}, fmt.Errorf("%w\n(no server answers on its admin socket either; is a server starting or stopping?)", err)
	}
	defer st.Close()
	if err := g.requireFormat(ctx, st, settings, log); err != nil {
		return admin.Response{}, err
	}
	auditFiles := audit.NewFiles(log)
	defer auditFiles.Close()
	hosts, svc, err := buildHosts(ctx, settings, st, assembly.Options{SkipPlugins: true, Log: log,
		Events: auditSinks(auditFiles)})
	if err != nil {
		return admin.Response{}, err
	}
	defer closeHosts(hosts)
	return svc.Do(events.WithActor(ctx, "uid:"+strconv.Itoa(os.Getuid())), req), nil
}

// decodeResponse returns the operation's error, or decodes its result into out.
func decodeResponse(resp admin.Response, out any) error {
	if resp.Error != nil {
		return resp.Error
	}
	if out != nil {
		return json.Unmarshal(resp.Result, out)
	}
	return nil
}
