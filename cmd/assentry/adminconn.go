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
	"github.com/assentry/assentry/core/events"
)

// run carries one management operation to the data directory: over the admin socket when a server is running
// on it (Badger admits one process), otherwise on the store opened here. Both paths run admin.Services.Do.
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
		log := slog.New(slog.DiscardHandler)
		st, err := openStore(ctx, settings, log)
		if err != nil {
			return fmt.Errorf("%w\n(no server answers on its admin socket either; is a server starting or stopping?)", err)
		}
		defer st.Close()
		if err := g.requireFormat(ctx, st, settings, log); err != nil {
			return err
		}
		// No server: the services act on the store directly. They run no policy hook, so plugins stay unloaded.
		// The action is audited as the server would audit it, with this process's uid as the actor.
		auditFiles := audit.NewFiles(log)
		defer auditFiles.Close()
		hosts, svc, err := buildHosts(ctx, settings, st, assembly.Options{SkipPlugins: true, Log: log,
			Events: auditSinks(auditFiles)})
		if err != nil {
			return err
		}
		defer closeHosts(hosts)
		resp = svc.Do(events.WithActor(ctx, "uid:"+strconv.Itoa(os.Getuid())), req)
	default:
		return err
	}
	if resp.Error != nil {
		return resp.Error
	}
	if out != nil {
		return json.Unmarshal(resp.Result, out)
	}
	return nil
}
