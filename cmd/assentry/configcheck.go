package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/themes"
	"golang.org/x/sys/unix"
)

// checkSummary is what `assentry config check` found beyond the keys themselves.
type checkSummary struct {
	problems []string
	warnings []string // what serve would start with all the same (a plugin on its last good version)
	plugins  int      // plugins loaded
	kept     int      // plugins whose file fails, that serve would start on their last good version
	themes   int      // custom theme directories loaded
	keys     string   // what the check of the stored signing keys found, or why it did not run (config check only)
}

// checkFiles checks what the configuration names outside itself, as serve would use it, and writes nothing: every
// host's static clients are validated as serve would store them (when the keys are valid), every host's theme is loaded and rendered with sample data, every plugin loaded on the real engines (with no compilation
// cache, which would be a write) and unloaded, every audit file's directory must exist and be writable (the file is
// not created), and the data directory must exist as a writable directory or be creatable.
func checkFiles(ctx context.Context, s *config.Settings, src *config.Sources, keysOK bool) checkSummary {
	var sum checkSummary
	if err := checkDataDir(s.DataDir); err != nil {
		sum.add("data_dir: %v", err)
	}
	engines, err := openCheckEngines()
	if err != nil {
		sum.add("policy engines: %v", err)
	} else {
		defer func() { _ = policy.CloseEngines(context.WithoutCancel(ctx), engines) }()
	}
	themesSeen, auditSeen := map[string]bool{}, map[string]bool{}
	for i := range s.Hosts {
		h := &s.Hosts[i]
		at := func(key string) string { return src.HostKey(i, key) }
		if h.Theme != "" && !themesSeen[h.Theme] {
			themesSeen[h.Theme] = true
			if _, err := themes.Load(h.Theme); err != nil {
				sum.add("%s: %s: %v", at("theme"), h.Theme, err)
			} else {
				sum.themes++
			}
		}
		if keysOK { // a client's keys in error are reported once, by the keys' own check
			for _, err := range assembly.CheckClients(h) {
				sum.add("%s: %v", at("clients"), err)
			}
		}
		if engines != nil {
			pc := assembly.CheckPolicies(ctx, h, engines, filepath.Join(s.DataDir, "policy-cache"), nil)
			sum.plugins += pc.Loaded
			sum.kept += len(pc.Warnings)
			for _, err := range pc.Errors {
				sum.add("%s: %v", at("policies"), err)
			}
			for _, w := range pc.Warnings {
				sum.warn("%s: %s", at("policies"), w)
			}
		}
		if f := h.Audit.File; f != "" && f != config.AuditStderr && !auditSeen[f] {
			auditSeen[f] = true
			if err := checkAuditFile(f); err != nil {
				sum.add("%s: %s: %v", at("audit.file"), f, err)
			}
		}
	}
	return sum
}

// add records a problem, as one line; a problem already recorded (a plugin inherited by several hosts, loaded for
// each) is not repeated.
func (sum *checkSummary) add(format string, args ...any) {
	p := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	if !slices.Contains(sum.problems, p) {
		sum.problems = append(sum.problems, p)
	}
}

// warn records a warning, as one line, once.
func (sum *checkSummary) warn(format string, args ...any) {
	w := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	if !slices.Contains(sum.warnings, w) {
		sum.warnings = append(sum.warnings, w)
	}
}

// openCheckEngines opens every policy engine without a compilation cache directory (serve keeps one in the data
// directory) and with plugin log lines dropped: a check only wants to know whether each plugin loads.
func openCheckEngines() (map[string]policy.Engine, error) {
	registry, err := policyEngines()
	if err != nil {
		return nil, err
	}
	return registry.OpenAll(policy.EngineOptions{Log: slog.New(slog.DiscardHandler)})
}

// checkDataDir accepts an existing writable directory, or a path whose nearest existing ancestor is a writable
// directory (serve creates the rest).
func checkDataDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for p := abs; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist) && p != filepath.Dir(p):
			continue
		case err != nil:
			return err
		case !fi.IsDir():
			return fmt.Errorf("%s is not a directory", p)
		case unix.Access(p, unix.W_OK|unix.X_OK) != nil:
			if p == abs {
				return fmt.Errorf("%s is not writable", p)
			}
			return fmt.Errorf("%s does not exist and cannot be created: %s is not writable", abs, p)
		}
		return nil
	}
}

// checkAuditFile accepts an existing writable regular file, or a file that can be created in an existing
// writable directory (the server creates the file, never its directory).
func checkAuditFile(file string) error {
	if fi, err := os.Stat(file); err == nil {
		if !fi.Mode().IsRegular() {
			return errors.New("not a regular file")
		}
		if unix.Access(file, unix.W_OK) != nil {
			return errors.New("not writable")
		}
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	dir := filepath.Dir(file)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the directory %s does not exist", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	case unix.Access(dir, unix.W_OK|unix.X_OK) != nil:
		return fmt.Errorf("the directory %s is not writable", dir)
	}
	return nil
}

// print writes the summary of a configuration without problems.
func (sum checkSummary) print(w io.Writer, path string, s *config.Settings) error {
	if path == "" {
		path = "no file"
	}
	kept, keys := "", ""
	if sum.kept > 0 {
		kept = fmt.Sprintf(" (and %d on its last good version: see the warning%s)", sum.kept, plural(sum.kept))
	}
	if sum.keys != "" {
		keys = "; " + sum.keys
	}
	_, err := fmt.Fprintf(w, "configuration ok (%s): %d host%s (%s), %d plugin%s loaded%s, %d custom theme%s loaded%s\n",
		path, len(s.Hosts), plural(len(s.Hosts)), hostIDs(s), sum.plugins, plural(sum.plugins), kept, sum.themes,
		plural(sum.themes), keys)
	return err
}
