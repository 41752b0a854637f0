package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the configuration file at path (no file when path is ""), applies the ASSENTRY_* overrides
// found in env (os.Environ() format), applies every default and validates the result. Relative paths in the file
// are taken from the file's directory, those in env from the working directory (paths.go).
//
// With path "" and no overrides the result is the development host on http://127.0.0.1:8080 (docs/architecture.md §8).
// Every problem is reported at once: the error is an *Errors listing each one with its key path, except a
// file that cannot be read, which is returned as is. Warnings are returned even when there are errors.
func Load(path string, env []string) (*Settings, []Warning, error) {
	in := Inspect(path, env)
	if in.Err != nil {
		return nil, in.Warnings, in.Err
	}
	return in.Settings, in.Warnings, nil
}

// Inspection is a configuration as the offline tools see it (`assentry config check` and `config show`): what
// Load returns, plus where each value came from, and the settings even when some keys are wrong.
type Inspection struct {
	// Settings are the effective settings; when Err is set they are only as good as the keys that were right
	// (enough to check the files the configuration names), and nil when the file could not be read or parsed.
	Settings *Settings
	Sources  *Sources
	Warnings []Warning
	Err      error // as Load's
}

// Inspect loads the configuration as Load does, recording the source of every key.
func Inspect(path string, env []string) *Inspection {
	r := &report{}
	cfg := &Config{}
	src := newSources()
	in := &Inspection{Sources: src}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			in.Err = fmt.Errorf("config: %w", err)
			return in
		}
		if path, err = absFile(path); err != nil {
			in.Err = err
			return in
		}
		if !decodeFile(data, cfg, r, src) {
			_, in.Err = r.result() // not even YAML: nothing else is worth checking
			return in
		}
		resolveFilePaths(cfg, filepath.Dir(path)) // paths.go: relative paths are taken from the file's directory
	}
	src.hosts = len(cfg.Hosts) > 0
	fileDataDir := cfg.DataDir
	applyEnv(cfg, env, r, src)
	in.Settings = cfg.resolve(env, r)
	if in.Settings != nil {
		in.Settings.DataDir, in.Settings.DataDirOrigin = dataDirOf(path, fileDataDir, env)
	}
	in.Warnings, in.Err = r.result()
	return in
}

// Validate applies every default to c and checks it, without reading a file or the ASSENTRY_* overrides; env
// is only consulted for clients' client_secret_env. It is for code that builds a Config itself (tests, tools);
// c is not modified. The error, if any, is an *Errors.
func (c *Config) Validate(env []string) (*Settings, []Warning, error) {
	r := &report{}
	s := c.resolve(env, r)
	warns, err := r.result()
	if err != nil {
		return nil, warns, err
	}
	return s, warns, nil
}

// decodeFile decodes the YAML document data into cfg. Unknown keys are found by walking the node tree against
// the Go types (so they are reported with their key path); the values are then decoded by yaml.v3 with
// KnownFields(true) as a second line of defence, and its type errors are given the key path of their line.
// It returns false when the file is not a YAML document at all.
func decodeFile(data []byte, cfg *Config, r *report, src *Sources) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if !errors.Is(err, io.EOF) { // io.EOF: an empty file, which is a valid (all-default) config
			r.errorf("", "", strings.TrimPrefix(err.Error(), "yaml: "))
			return false
		}
		return true
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		r.errorf("", "", "the file must hold exactly one YAML document")
		return false
	}
	w := &keyWalker{r: r, lines: map[int]string{}, src: src}
	w.walk(&root, typeOfConfig, "", 0)

	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	err := strict.Decode(cfg)
	var te *yaml.TypeError
	if err != nil && !errors.As(err, &te) {
		r.errorf("", "", strings.TrimPrefix(err.Error(), "yaml: "))
		return false
	}
	if te == nil {
		return true
	}
	for _, msg := range te.Errors {
		line, text := splitLine(msg)
		if strings.Contains(text, " not found in type ") && w.unknown > 0 {
			continue // already reported by the walker, with its path
		}
		path, full := w.pathAt(line, offendingValue(text))
		if line > 0 {
			text = fmt.Sprintf("%s (line %d)", friendlyTypeError(text, full), line)
		}
		r.errorf(path, "", text)
		if path != "" {
			r.markBroken(path)
		}
	}
	return true
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// splitLine separates yaml.v3's "line N: " prefix from a type error message.
func splitLine(msg string) (int, string) {
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	n, _ := strconv.Atoi(m[1])
	return n, m[2]
}

var quotedRE = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

// offendingValue extracts the value a type error complains about (yaml.v3 quotes it in backticks, Duration in
// double quotes), or "".
func offendingValue(msg string) string {
	if m := unmarshalRE.FindStringSubmatch(msg); m != nil {
		return m[2]
	}
	if m := quotedRE.FindStringSubmatch(msg); m != nil {
		if v, err := strconv.Unquote(m[0]); err == nil {
			return v
		}
	}
	return ""
}

var unmarshalRE = regexp.MustCompile("^cannot unmarshal !!(\\w+) (?:`(.*)` )?into (.+)$")

// friendlyTypeError rewrites yaml.v3's "cannot unmarshal !!str `abc` into uint32" as "want a non-negative
// integer, got "abc"": operators write YAML, not Go types. full, if known, is the value uncut.
func friendlyTypeError(msg, full string) string {
	m := unmarshalRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	got := "a " + m[1]
	if full != "" {
		got = strconv.Quote(full)
	} else if m[2] != "" {
		got = strconv.Quote(m[2])
	}
	return "want " + describeType(m[3]) + ", got " + got
}

// describeType names a Go type (as yaml.v3 prints it) in YAML terms.
func describeType(goType string) string {
	t := strings.TrimPrefix(goType, "*")
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "config."):
		return "a mapping"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "uint"):
		return "a non-negative integer"
	case strings.HasPrefix(t, "int"):
		return "an integer"
	case t == "string":
		return "a string"
	}
	return t
}
