package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/policy/wasm"
	"github.com/spf13/cobra"
)

// policyEngines lists the policy engines, each with its kind and file extensions: the one place an engine is
// added (the server's bindings and the `assentry policy` commands both use it).
func policyEngines() (*policy.Registry, error) {
	return policy.NewRegistry(
		lua.Factory(),
		wasm.Factory(),
	)
}

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Test and check policy plugins offline (no server or data directory needed)"}
	cmd.AddCommand(newPolicyTestCmd(), newPolicyCheckCmd())
	return cmd
}

func newPolicyTestCmd() *cobra.Command {
	var pluginFile, hook, inputFile, configFile, casesFile, expect string
	cmd := &cobra.Command{
		Use: "test --plugin FILE (--hook HOOK --input FILE.json [--expect DECISION] | --cases FILE.json) " +
			"[--plugin-config FILE.json]",
		Short: "Run one hook of a plugin on an input and print its decision, or run a cases file",
		Long: "Loads the plugin as the server would (init with --plugin-config, default limits), calls HOOK with the\n" +
			"input (the envelope's abi, hook, request_id, now and host are added when the file leaves them out),\n" +
			"and prints the decision as JSON, with exit status 0. A failure (error, deadline, invalid output) or an\n" +
			"error the plugin declares is printed with exit status 1, and so is a decision other than --expect's\n" +
			"(accept or reject for validate_registration, approve, ask or deny for consent).\n\n" +
			"With --cases, runs every case of a cases file (the format of a plugin's testdata/cases.json: inputs\n" +
			"with the expected decision, declared error, failure kind or load error) in order, printing \"ok\" and\n" +
			"the name of each, and stops at the first mismatch with exit status 1, printing a diff of the expected\n" +
			"and the actual decision.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pluginFile == "" {
				return usageError{"--plugin is required"}
			}
			if casesFile != "" {
				if hook != "" || inputFile != "" || expect != "" {
					return usageError{"--cases runs a cases file: --hook, --input and --expect go with a single input"}
				}
				return runCases(cmd, pluginFile, casesFile, configFile)
			}
			switch {
			case inputFile == "":
				return usageError{"--input is required (or --cases)"}
			case policy.HookIndex(hook) < 0:
				return usageError{fmt.Sprintf("--hook %q: one of %s", hook, strings.Join(policy.Hooks, ", "))}
			}
			if err := checkExpect(hook, expect); err != nil {
				return err
			}
			input, err := readHookInput(inputFile, hook)
			if err != nil {
				return err
			}
			cfg, err := readPluginConfig(configFile)
			if err != nil {
				return err
			}
			p, err := loadPlugin(cmd.Context(), cmd.ErrOrStderr(), pluginFile, cfg)
			if err != nil {
				return err
			}
			defer p.Close(context.Background())
			if !slices.Contains(p.Hooks(), hook) {
				return fmt.Errorf("%s does not export %s (it exports: %s)", pluginFile, hook, strings.Join(p.Hooks(), ", "))
			}
			start := time.Now()
			out, err := p.Call(cmd.Context(), hook, input)
			took := time.Since(start)
			if err != nil {
				return fmt.Errorf("%w (after %v)", err, took.Round(time.Microsecond))
			}
			dec, pe, err := policy.DecodeOutput(hook, out)
			switch {
			case err != nil:
				return &policy.Failure{Plugin: filepath.Base(pluginFile), Hook: hook, Kind: policy.FailOutput,
					Err: fmt.Errorf("%w; the answer was %s", err, out)}
			case pe != nil:
				if err := printJSON(cmd.OutOrStdout(), map[string]any{"error": pe}); err != nil {
					return err
				}
				return fmt.Errorf("the plugin declared an error (the binding's on_error decides what follows): %s", pe.Error())
			}
			for _, note := range hostNotes(hook, dec) {
				fmt.Fprintln(cmd.ErrOrStderr(), "note:", note)
			}
			if err := printJSON(cmd.OutOrStdout(), dec); err != nil {
				return err
			}
			if got := decisionOf(dec); expect != "" && got != expect {
				return fmt.Errorf("the decision is %q, not the expected %q", got, expect)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&pluginFile, "plugin", "", "the plugin file (.lua or .wasm)")
	f.StringVar(&hook, "hook", "", "the hook to call: "+strings.Join(policy.Hooks, ", "))
	f.StringVar(&inputFile, "input", "", "a JSON file with the hook's input")
	f.StringVar(&expect, "expect", "", "exit 1 unless the decision is this one: accept, reject (validate_registration), approve, ask, deny (consent)")
	f.StringVar(&casesFile, "cases", "", "a cases file to run instead of one input (the format of a plugin's testdata/cases.json)")
	f.StringVar(&configFile, "plugin-config", "", "a JSON file with the config handed to the plugin's init (with --cases: replaces the file's config)")
	return cmd
}

func newPolicyCheckCmd() *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "check FILE... [--plugin-config FILE.json]",
		Short: "Load and validate plugins: compile, check the ABI and exports, run init",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{"name at least one plugin file"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var failed []string
			cfg, err := readPluginConfig(configFile)
			if err != nil {
				return err
			}
			for _, file := range args {
				p, err := loadPlugin(cmd.Context(), cmd.ErrOrStderr(), file, cfg)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", file, err)
					failed = append(failed, file)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (hooks: %s)\n", file, strings.Join(p.Hooks(), ", "))
				_ = p.Close(context.Background())
			}
			if len(failed) > 0 {
				return fmt.Errorf("%d of %d plugins failed the check: %s", len(failed), len(args), strings.Join(failed, ", "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&configFile, "plugin-config", "", "a JSON file with the config handed to each plugin's init")
	return cmd
}

// readPluginConfig reads --plugin-config: nil when it is not given.
func readPluginConfig(file string) (map[string]any, error) {
	if file == "" {
		return nil, nil
	}
	return readJSONObject(file)
}

// loadPlugin loads a plugin file with the engine its extension names, as the server would load it for a host
// whose binding has config cfg. Its assentry.log lines go to stderr.
func loadPlugin(ctx context.Context, stderr io.Writer, file string, cfg map[string]any) (policy.Plugin, error) {
	reg, err := policyEngines()
	if err != nil {
		return nil, err
	}
	kind, err := reg.KindFor(file)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	code, err := os.ReadFile(file)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	engine, err := reg.Open(kind, policy.EngineOptions{Log: log})
	if err != nil {
		return nil, err
	}
	p, err := engine.Load(ctx, policy.Source{Name: filepath.Base(file), Path: file, Code: code, Config: cfg,
		Host: "cli", Limits: policy.Limits{}.WithDefaults()})
	if err != nil {
		_ = engine.Close(ctx)
		return nil, fmt.Errorf("load: %w", err)
	}
	return &ownedPlugin{Plugin: p, engine: engine}, nil
}

// ownedPlugin closes its engine with it.
type ownedPlugin struct {
	policy.Plugin
	engine policy.Engine
}

func (p *ownedPlugin) Close(ctx context.Context) error {
	return errors.Join(p.Plugin.Close(ctx), p.engine.Close(ctx))
}

// readHookInput reads a hook input, checks it against the hook's type and returns it as the server would
// send it: the typed input re-encoded, with the envelope completed.
func readHookInput(file, hook string) ([]byte, error) {
	m, err := readJSONObject(file)
	if err != nil {
		return nil, err
	}
	if h, ok := m["hook"]; ok && h != hook {
		return nil, usageError{fmt.Sprintf("%s: its hook is %v but --hook is %s", file, h, hook)}
	}
	defaults := map[string]any{"abi": policy.ABIVersion, "hook": hook, "request_id": "cli", "now": time.Now().Unix(), "host": "cli"}
	for k, v := range defaults {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	in := policy.NewInput(hook)
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(in); err != nil {
		return nil, usageError{fmt.Sprintf("%s: not a %s input: %v", file, hook, err)}
	}
	return json.Marshal(in)
}

// readJSONObject reads a file holding one JSON object.
func readJSONObject(file string) (map[string]any, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		if err == nil {
			err = errors.New("want a JSON object")
		}
		return nil, usageError{fmt.Sprintf("%s: %v", file, err)}
	}
	return m, nil
}

// hostNotes says what the server would do differently with a decision than print it: the host rules that do
// not depend on the request (reserved claims are dropped).
func hostNotes(hook string, dec any) []string {
	var claims map[string]any
	switch d := dec.(type) {
	case *policy.MapRolesOutput:
		claims = d.Claims
	case *policy.ClaimsOutput:
		claims = d.Claims
	}
	var notes []string
	for _, name := range policy.ReservedClaims {
		if _, ok := claims[name]; ok {
			notes = append(notes, fmt.Sprintf("%s: the claim %q is reserved; the server drops it", hook, name))
		}
	}
	return notes
}
