package main

import (
	"log/slog"
	"os"
	"strings"

	"github.com/assentry/assentry/core/config"
	"github.com/spf13/cobra"
)

// globals are the flags every command takes.
type globals struct {
	configPath string
	host       string
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "assentry",
		Short:         "Assentry: an OAuth 2.0 / OpenID Connect authorization server",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.configPath, "config", os.Getenv("ASSENTRY_CONFIG"),
		"configuration file (default: $ASSENTRY_CONFIG; none: a development host on http://127.0.0.1:8080)")
	root.PersistentFlags().StringVar(&g.host, "host", "", "host id to manage (default: the first host)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err.Error()} })
	root.AddCommand(newServeCmd(g), newReloadCmd(g), newUserCmd(g), newClientCmd(g), newKeysCmd(g), newPolicyCmd(), newConfigCmd(g), newLoadtestCmd(), newVersionCmd())
	root.AddCommand(newAdminTokenCmd(g), newGrantCmd(g))
	root.AddCommand(newBackupCmd(g), newRestoreCmd(g), newMigrateCmd(g))
	root.AddCommand(newExportCmd(g), newImportCmd(g))
	root.AddCommand(newThemeCmd())
	return root
}

// loadConfig reads the configuration. Its warnings concern serving, so only serve reports them.
func (g *globals) loadConfig() (*config.Settings, []config.Warning, error) {
	return config.Load(g.configPath, os.Environ())
}

// newLogger makes the server's JSON logger at level; the returned LevelVar changes its level later (a reload).
func newLogger(level string) (*slog.Logger, *slog.LevelVar) {
	lv := &slog.LevelVar{}
	lv.Set(parseLevel(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lv})), lv
}

// parseLevel reads log_level; anything but debug, warn and error is info.
func parseLevel(level string) slog.Level {
	switch strings.ToLower(level) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
