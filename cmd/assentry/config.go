package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/assentry/assentry/core/config"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Check or show the configuration offline (nothing is started or written)"}
	cmd.AddCommand(newConfigCheckCmd(g), newConfigShowCmd(g))
	return cmd
}

func newConfigCheckCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and load every file it names, without starting the server",
		Long: "Loads the configuration file and the ASSENTRY_* variables as serve would and validates every key, then\n" +
			"loads every host's theme and policy plugins with the real engines and checks that each audit log can be\n" +
			"written and the data directory created. When a store exists it opens it read-only and checks that each\n" +
			"host's key_encryption_key opens the signing keys stored for it. It writes nothing, not even the data\n" +
			"directory. With Badger, a running server holds the store: its keys are then not checked (said in the summary).\n" +
			"Every problem is listed (on stderr, one per line) with exit status 2; with none, a summary and status 0.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := config.Inspect(g.configPath, os.Environ())
			for _, w := range in.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w.String())
			}
			problems := loadProblems(in.Err)
			var sum checkSummary
			if in.Settings != nil {
				// With errors in the keys the files are still checked (as far as their keys could be read), so
				// one round fixes everything.
				sum = checkFiles(cmd.Context(), in.Settings, in.Sources, in.Err == nil)
				problems = append(problems, sum.problems...)
				for _, w := range sum.warnings {
					fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
				}
				if in.Err == nil {
					var keyProblems []string
					keyProblems, sum.keys = checkStoredKeys(cmd.Context(), in.Settings, in.Sources)
					problems = append(problems, keyProblems...)
				}
			}
			if len(problems) > 0 {
				for _, p := range problems {
					fmt.Fprintln(cmd.ErrOrStderr(), p)
				}
				return usageError{fmt.Sprintf("the configuration has %d problem%s", len(problems), plural(len(problems)))}
			}
			return sum.print(cmd.OutOrStdout(), g.configPath, in.Settings)
		},
	}
}

// loadProblems lists the problems of a load error, one line each ("hosts[1].issuer: must be https ...").
func loadProblems(err error) []string {
	if err == nil {
		return nil
	}
	var ce *config.Errors
	if !errors.As(err, &ce) {
		return []string{err.Error()}
	}
	out := make([]string, len(ce.Problems))
	for i, p := range ce.Problems {
		out[i] = p.String()
	}
	return out
}

func newConfigShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show [--json]",
		Short: "Print the effective configuration, secrets redacted, with the source of each value",
		Long: "Prints the effective settings (every default applied, every host with its inherited keys) as YAML, in the\n" +
			"keys and nesting of the configuration file, each value followed by its source: file:LINE, env:ASSENTRY_NAME,\n" +
			"default, or \"inherited from\" the top-level source for a host key under hosts. Secrets (registration key and\n" +
			"initial access token, key_encryption_key, client_secret_sha256, store.dsn) are printed as " + config.Redacted + ";\n" +
			"with them filled in, the output is a configuration file that loads to the same settings.\n" +
			"With --json: {\"settings\": ..., \"sources\": {key path: source}}.\n" +
			"An invalid configuration is not shown: its problems are listed as by config check.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := config.Inspect(g.configPath, os.Environ())
			if in.Err != nil {
				problems := loadProblems(in.Err)
				for _, p := range problems {
					fmt.Fprintln(cmd.ErrOrStderr(), p)
				}
				return usageError{fmt.Sprintf("the configuration has %d problem%s", len(problems), plural(len(problems)))}
			}
			shown := config.Show(in.Settings, in.Sources)
			if asJSON {
				var settings any
				if err := shown.Tree.Decode(&settings); err != nil {
					return err
				}
				return printJSON(cmd.OutOrStdout(), map[string]any{"config_file": g.configPath, "settings": settings,
					"sources": shown.Sources})
			}
			return printShown(cmd.OutOrStdout(), g.configPath, shown)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON, the sources in a parallel object")
	return cmd
}

// printShown writes the YAML form, headed by where it came from.
func printShown(w io.Writer, path string, shown *config.Shown) error {
	if path == "" {
		path = "none"
	}
	fmt.Fprintf(w, "# effective configuration (file: %s); each value's source follows it\n", path)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(shown.Tree); err != nil {
		return err
	}
	return enc.Close()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// hostIDs lists the hosts' ids, for summaries.
func hostIDs(s *config.Settings) string {
	ids := make([]string, len(s.Hosts))
	for i, h := range s.Hosts {
		ids[i] = h.ID
	}
	return strings.Join(ids, ", ")
}
