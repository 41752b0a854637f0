package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/store"
)

// requireFormat lets a store serve only at the format this build writes. A store that needs migrations is
// migrated when the configuration says auto_migrate: true (logged step by step), and refused otherwise with
// the steps and the command that runs them. A store of a newer format never gets here: the backend refuses it
// when it opens. Backends without versioned data (none so far) pass.
func (g *globals) requireFormat(ctx context.Context, st store.Store, s *config.Settings, log *slog.Logger) error {
	m, ok := st.(store.Migrator)
	if !ok {
		return nil
	}
	pending, err := m.Pending(ctx)
	if err != nil || len(pending) == 0 {
		return err
	}
	if s.AutoMigrate {
		done, err := m.Migrate(ctx)
		for _, step := range done {
			log.Info("store migrated (auto_migrate)", "store", storeName(s), "from", step.From, "to", step.To,
				"migration", step.Description)
		}
		return err
	}
	backUp := "assentry backup FILE"
	if s.Store.Backend == config.StorePostgres {
		backUp = "pg_dump; `assentry backup` is for Badger"
	}
	return fmt.Errorf("the store in %s needs migrating from format %d to %d before this assentry can serve it:\n%s\n"+
		"Back it up (%s), then run: %s\n(or set auto_migrate: true to migrate when the server starts)",
		storeName(s), pending[0].From, m.CurrentFormat(), listSteps(pending), backUp, g.commandLine("migrate"))
}

// listSteps prints migration steps one per line, indented.
func listSteps(steps []store.Step) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("  " + s.String())
	}
	return b.String()
}

// commandLine is `assentry <cmd>` with this invocation's --config, to paste.
func (g *globals) commandLine(cmd string) string {
	if g.configPath == "" {
		return "assentry " + cmd
	}
	return fmt.Sprintf("assentry %s --config %s", cmd, g.configPath)
}
