package config

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Location is where a running server can be reached: its data directory and its admin socket ("" when derived
// from the data directory).
type Location struct {
	DataDir       string
	DataDirOrigin DataDirOrigin
	AdminSocket   string
}

// Locate reads only data_dir and admin_socket from the file at path ("" for none) and their ASSENTRY_DATA_DIR and
// ASSENTRY_ADMIN_SOCKET overrides in env, with their defaults, without checking anything else. A command that
// talks to the running server (`assentry reload`) finds it by them, and must find it even when the rest of the
// file has problems: the server then reports them. It fails only when the file cannot be read or is not YAML at
// all.
func Locate(path string, env []string) (Location, error) {
	var top struct {
		DataDir     string `yaml:"data_dir"`
		AdminSocket string `yaml:"admin_socket"`
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Location{}, fmt.Errorf("config: %w", err)
		}
		if path, err = absFile(path); err != nil {
			return Location{}, err
		}
		if err := yaml.Unmarshal(data, &top); err != nil {
			return Location{}, fmt.Errorf("config: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
	}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, envPrefix+"ADMIN_SOCKET="); ok {
			top.AdminSocket = v
		}
	}
	dir, origin := dataDirOf(path, top.DataDir, env) // as Load derives it
	return Location{DataDir: dir, DataDirOrigin: origin, AdminSocket: top.AdminSocket}, nil
}
