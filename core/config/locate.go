package config

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// DataDir reads only data_dir from the file at path ("" for none) and the ASSENTRY_DATA_DIR override in env, with
// its default, without checking anything else. A command that talks to the running server (`assentry reload`)
// finds it by its data directory, and must find it even when the rest of the file has problems: the server then
// reports them. It fails only when the file cannot be read or is not YAML at all.
func DataDir(path string, env []string) (string, error) {
	var top struct {
		DataDir string `yaml:"data_dir"`
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("config: %w", err)
		}
		if err := yaml.Unmarshal(data, &top); err != nil {
			return "", fmt.Errorf("config: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
	}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, envPrefix+"DATA_DIR="); ok {
			top.DataDir = v
		}
	}
	return orDefault(top.DataDir, DefaultDataDir), nil
}
