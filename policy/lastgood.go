package policy

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// OnLoadError choices (config policies[].on_load_error): what a host does at start, or when a configuration
// reload rebuilds it, if a plugin's file cannot be loaded.
const (
	// OnLoadErrorFail refuses the host (the server does not start; a configuration reload is refused). The
	// default.
	OnLoadErrorFail = "fail"
	// OnLoadErrorKeepLastGood runs the last version of the plugin that loaded, kept in the data directory, and
	// marks the plugin stale (Manager.Stale) until its file loads again.
	OnLoadErrorKeepLastGood = "keep_last_good"
)

// lastGoodFile is the name of the file holding a plugin's last good version in its cache directory
// (ManagerOptions.CacheDir/<plugin>/).
const lastGoodFile = "last-good.json"

// lastGood is a plugin's last good version: what its engine loaded successfully, with the plugin config it was
// initialised with. It is one JSON file, replaced atomically, so a crash never leaves a code without its config.
type lastGood struct {
	Kind    string         `json:"kind"`
	Path    string         `json:"path"` // the file it was read from, for the operator
	SHA256  string         `json:"sha256"`
	SavedAt time.Time      `json:"saved_at"`
	Config  map[string]any `json:"config,omitempty"`
	Code    []byte         `json:"code"` // Lua source or wasm module (base64 in the JSON)
}

// saveLastGood keeps code and b's config as b's last good version, when the Manager has a cache directory. A
// failure is logged, not returned: the plugin runs all the same, only a later keep_last_good start lacks it.
func (m *Manager) saveLastGood(b Binding, code []byte) {
	if m.opts.CacheDir == "" || m.opts.ReadOnlyCache {
		return
	}
	sum := sha256.Sum256(code)
	data, err := json.Marshal(lastGood{Kind: b.Kind, Path: b.Path, SHA256: fmt.Sprintf("%x", sum[:]),
		SavedAt: time.Now().UTC(), Config: b.Config, Code: code})
	if err == nil {
		err = writeAtomically(m.cacheDir(b), lastGoodFile, data)
	}
	if err != nil {
		m.chain.opts.Log.Warn("policy: could not keep the last good version of the plugin", "plugin", b.Name, "err", err)
	}
}

// KeptStart is a plugin that NewManager started on its last good version (on_load_error keep_last_good)
// because its file failed to load.
type KeptStart struct {
	Plugin  string
	Err     error     // why the file did not load
	SavedAt time.Time // when the version that runs instead was kept
	File    string    // where it is kept
}

// KeptStarts lists the plugins NewManager started on their last good version, in configuration order. A reload
// does not change the list: it is what the start did (Stale says what runs now).
func (m *Manager) KeptStarts() []KeptStart { return slices.Clone(m.kept) }

// readLastGood returns b's last good version from the cache directory.
func (m *Manager) readLastGood(b Binding) (*lastGood, error) {
	if m.opts.CacheDir == "" {
		return nil, errors.New("no data directory to keep it in")
	}
	data, err := os.ReadFile(filepath.Join(m.cacheDir(b), lastGoodFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errors.New("none was kept: the plugin never loaded on this data directory")
	}
	if err != nil {
		return nil, err
	}
	var lg lastGood
	if err := json.Unmarshal(data, &lg); err != nil {
		return nil, fmt.Errorf("%s: %w", lastGoodFile, err)
	}
	sum := sha256.Sum256(lg.Code)
	switch {
	case lg.Kind != b.Kind:
		return nil, fmt.Errorf("the one kept is a %s plugin, the configuration names a %s file", lg.Kind, b.Kind)
	case fmt.Sprintf("%x", sum[:]) != lg.SHA256:
		return nil, fmt.Errorf("%s: the code does not match its checksum", lastGoodFile)
	}
	return &lg, nil
}

// cacheDir is the directory of b's last good version: CacheDir/<plugin>, or CacheDir/sha256-<hex of the name>
// for a name that is not a plain file name (the configuration does not restrict plugin names).
func (m *Manager) cacheDir(b Binding) string {
	name := b.Name
	plain := name != "." && name != ".." && !strings.ContainsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	})
	if !plain {
		name = fmt.Sprintf("sha256-%x", sha256.Sum256([]byte(name)))
	}
	return filepath.Join(m.opts.CacheDir, name)
}

// writeAtomically writes data to dir/name through a temporary file that is synced and renamed over it, so that
// a reader sees the old file or the new one, never a part.
func writeAtomically(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
