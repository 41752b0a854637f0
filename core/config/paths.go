package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A relative path written in the configuration file is taken from the file's directory, so that the same file
// names the same files whether it is used by hand from the directory it lives in or by a service manager whose
// working directory is /. That covers data_dir (and its default when the file sets none), theme, audit.file,
// client_id_metadata_documents.test_root_ca and every policies[].lua and policies[].wasm, at the top level and under hosts. A path given in an ASSENTRY_*
// variable is taken from the working directory, as a shell user expects; so is every path when there is no file.
// admin_socket is not resolved: it must be absolute (checkAdminSocket says why).

// resolveFilePaths makes every relative path-valued key of cfg, as decoded from the file, relative to dir (the
// file's directory). It runs before the ASSENTRY_* overrides are applied, so that those stay as given. data_dir
// is resolved apart, by dataDirOf, which also records how it was derived.
func resolveFilePaths(cfg *Config, dir string) {
	resolveHostPaths(&cfg.Host, dir)
	for i := range cfg.Hosts {
		resolveHostPaths(&cfg.Hosts[i], dir)
	}
}

func resolveHostPaths(h *Host, dir string) {
	h.Theme = under(dir, h.Theme)
	for i := range h.Policies {
		h.Policies[i].Lua = under(dir, h.Policies[i].Lua)
		h.Policies[i].Wasm = under(dir, h.Policies[i].Wasm)
	}
	if h.Audit != nil && h.Audit.File != AuditStderr && h.Audit.File != AuditOff {
		h.Audit.File = under(dir, h.Audit.File)
	}
	if h.ClientIDMetadataDocuments != nil {
		h.ClientIDMetadataDocuments.TestRootCA = under(dir, h.ClientIDMetadataDocuments.TestRootCA)
	}
	if h.PasswordPolicy != nil {
		h.PasswordPolicy.BlocklistFile = under(dir, h.PasswordPolicy.BlocklistFile)
	}
}

// under joins a relative path p to dir; an empty or absolute p is returned as is. A trailing slash is kept, so
// that the rules that refuse a directory (audit.file) still see it.
func under(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	j := filepath.Join(dir, p)
	if strings.HasSuffix(p, "/") {
		j += "/"
	}
	return j
}

// DataDirOrigin is how the data directory was derived, for the messages of a command that looked for it there.
type DataDirOrigin struct {
	// From says where the path came from and what a relative one was taken from, e.g. `data_dir "data" in
	// /etc/assentry/assentry.yaml, relative to that file's directory`.
	From string
	// Before is where a release that took data_dir from the working directory would have looked, when that is
	// somewhere else ("" otherwise): a store found there and not at the new place means the data would be left
	// behind, so the commands refuse to start (cmd/assentry checks it).
	Before string
}

// dataDirOf derives the data directory: ASSENTRY_DATA_DIR (from the working directory when relative), else the
// file's data_dir or, with a file, DefaultDataDir (from the file's directory when relative), else DefaultDataDir
// from the working directory. file is the configuration file's absolute path, "" for none; fileValue is data_dir
// as written in it. A path taken from the working directory is returned as written.
func dataDirOf(file, fileValue string, env []string) (string, DataDirOrigin) {
	if v := envValue(env, envPrefix+"DATA_DIR"); v != "" {
		if filepath.IsAbs(v) {
			return v, DataDirOrigin{From: envPrefix + "DATA_DIR"}
		}
		return v, DataDirOrigin{From: fmt.Sprintf("%sDATA_DIR %q, relative to the working directory %s", envPrefix, v, workDir())}
	}
	if file == "" {
		return DefaultDataDir, DataDirOrigin{From: fmt.Sprintf("the default %q, relative to the working directory %s "+
			"(no configuration file)", DefaultDataDir, workDir())}
	}
	v, from := fileValue, fmt.Sprintf("data_dir %q in %s", fileValue, file)
	if v == "" {
		v, from = DefaultDataDir, fmt.Sprintf("the default %q (%s sets no data_dir)", DefaultDataDir, file)
	}
	if filepath.IsAbs(v) {
		return v, DataDirOrigin{From: from}
	}
	dir := under(filepath.Dir(file), v)
	o := DataDirOrigin{From: from + ", relative to that file's directory"}
	if old, err := filepath.Abs(v); err == nil && old != dir {
		o.Before = old
	}
	return dir, o
}

// envValue is the value of the variable name in env (os.Environ() format), "" when unset.
func envValue(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if s, ok := strings.CutPrefix(kv, name+"="); ok {
			v = s // the last one wins, as in applyEnv
		}
	}
	return v
}

// workDir names the working directory in messages.
func workDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return wd
}

// absFile is the configuration file's absolute path, the base of its relative paths.
func absFile(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return abs, nil
}
