package config

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

const (
	// envPrefix starts every environment override: ASSENTRY_ + the key path upper-cased, levels joined by "__".
	envPrefix = "ASSENTRY_"
	// envConfigFile is reserved for the config file's path (read by cmd/assentry, not a key of the file).
	envConfigFile = "ASSENTRY_CONFIG"
	// envTestPrefix is reserved for the test suites' own variables (ASSENTRY_TEST_POSTGRES_DSN): CI exports them
	// to every process it starts, and a developer to their shell, so they are not keys of the file.
	envTestPrefix = "ASSENTRY_TEST_"
	envLevelSep   = "__"
)

// applyEnv applies the ASSENTRY_* overrides in env to cfg's top-level keys (docs/architecture.md §8). The mapping is
// derived from the yaml tags, so a new key is overridable without code here. An unknown ASSENTRY_ variable is an error,
// so a typo fails at start; so is one naming hosts or a list of mappings (scopes, clients, policies), which come from
// the file only. A list of values is written comma-separated or as a JSON list (envlist.go). Variables named by a
// client's client_secret_env are exempt: they hold secrets, not settings. With hosts, an override of a top-level host
// key reaches every host that does not set that key itself. Each key set is recorded in src (nil: not recorded).
func applyEnv(cfg *Config, env []string, r *report, src *Sources) {
	exempt := secretEnvNames(cfg)
	root := reflect.ValueOf(cfg).Elem()
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, envPrefix) || name == envConfigFile || strings.HasPrefix(name, envTestPrefix) ||
			exempt[name] {
			continue
		}
		keyPath, err := setFromEnv(root, name, value)
		if err != nil {
			r.errorf(name, "", err.Error())
			continue
		}
		src.setEnv(keyPath, name, value == "")
	}
}

// setFromEnv sets the key that the variable name maps to and returns its key path. Later variables win over
// earlier ones.
func setFromEnv(v reflect.Value, name, value string) (string, error) {
	// Each "__"-separated segment names one level: a field of the current struct (matched against its yaml
	// tag upper-cased), then, for a map, the entry's key lower-cased.
	segs := strings.Split(strings.TrimPrefix(name, envPrefix), envLevelSep)
	keyPath := ""
	for i, seg := range segs {
		last := i == len(segs)-1
		f, ok := fieldByEnvName(v.Type(), seg)
		if !ok {
			return "", unknownEnv(name)
		}
		keyPath = join(keyPath, f.name)
		if v.Type() == typeOfConfig && f.name == "hosts" {
			return "", fmt.Errorf("hosts are configured in the file only")
		}
		fv := v.FieldByIndex(f.index)
		t := f.typ
		// An optional section (argon2, rate_limits, roles) is allocated on first use; its other keys stay
		// zero, which is "unset", so they keep their defaults.
		if t.Kind() == reflect.Pointer && isSection(t.Elem()) {
			if last {
				return "", sectionErr(name, keyPath)
			}
			if fv.IsNil() {
				fv.Set(reflect.New(t.Elem()))
			}
			v = fv.Elem()
			continue
		}
		switch {
		case isSection(t):
			if last {
				return "", sectionErr(name, keyPath)
			}
			v = fv
			continue
		case t.Kind() == reflect.Slice:
			if !last {
				return "", unknownEnv(name)
			}
			if !isScalar(t.Elem()) {
				return "", fmt.Errorf("%s is a list of mappings; it is set in the config file only", keyPath)
			}
			return keyPath, decodeList(fv, value, keyPath)
		case t.Kind() == reflect.Map:
			if i != len(segs)-2 || t.Key().Kind() != reflect.String || !isScalar(t.Elem()) {
				return "", fmt.Errorf("%s is a map: set one entry, as %s%s<KEY>", keyPath, name, envLevelSep)
			}
			entry := strings.ToLower(segs[i+1])
			return join(keyPath, entry), setMapEntry(fv, entry, value, keyPath)
		case !last:
			return "", unknownEnv(name)
		}
		return keyPath, decodeScalar(fv, value, keyPath)
	}
	return "", unknownEnv(name)
}

// isSection reports whether t is a nested mapping of keys (registration, argon2, ...) rather than a value.
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(typeOfUnmarshaler)
}

// isScalar reports whether t (or what it points to) is a single YAML value.
func isScalar(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func fieldByEnvName(t reflect.Type, seg string) (yamlField, bool) {
	for _, f := range fieldsOf(t) {
		if strings.ToUpper(f.name) == seg && seg != "" {
			return f, true
		}
	}
	return yamlField{}, false
}

func sectionErr(name, keyPath string) error {
	return fmt.Errorf("%s is a section: set one of its keys, as %s%s<KEY>", keyPath, name, envLevelSep)
}

func unknownEnv(name string) error {
	if s := suggest(name, envNames(typeOfConfig, envPrefix)); s != "" {
		return fmt.Errorf("unknown setting (did you mean %s?)", s)
	}
	return fmt.Errorf("unknown setting: no configuration key maps to it")
}

// envNames lists the variable names of every overridable leaf key under struct type t.
func envNames(t reflect.Type, prefix string) []string {
	var out []string
	for _, f := range fieldsOf(t) {
		name := prefix + strings.ToUpper(f.name)
		ft := f.typ
		if ft.Kind() == reflect.Pointer && isSection(ft.Elem()) {
			ft = ft.Elem()
		}
		switch {
		case isSection(ft):
			out = append(out, envNames(ft, name+envLevelSep)...)
		case ft.Kind() == reflect.Slice && isScalar(ft.Elem()):
			out = append(out, name)
		case ft.Kind() != reflect.Slice && ft.Kind() != reflect.Map:
			out = append(out, name)
		}
	}
	return out
}

// decodeScalar sets dst from an environment value with YAML's scalar rules (true/false, integers, durations
// through Duration.UnmarshalYAML). An empty value resets the key to unset, i.e. to its default.
func decodeScalar(dst reflect.Value, value, keyPath string) error {
	if value == "" {
		dst.Set(reflect.Zero(dst.Type()))
		return nil
	}
	if dst.Kind() == reflect.Pointer {
		nv := reflect.New(dst.Type().Elem())
		if err := decodeScalar(nv.Elem(), value, keyPath); err != nil {
			return err
		}
		dst.Set(nv)
		return nil
	}
	if dst.Kind() == reflect.String {
		dst.SetString(value) // verbatim: "~", "null" or "0123" stay strings
		return nil
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: value}
	if err := n.Decode(dst.Addr().Interface()); err != nil {
		if reflect.PointerTo(dst.Type()).Implements(typeOfUnmarshaler) {
			if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
				_, msg := splitLine(te.Errors[0])
				return fmt.Errorf("%s: %s", keyPath, msg)
			}
		}
		return fmt.Errorf("%s: invalid value %q: want %s", keyPath, value, describeType(dst.Type().String()))
	}
	return nil
}

// setMapEntry sets (or, for an empty value, deletes) one entry of a map key such as builtin_policy.
func setMapEntry(m reflect.Value, key, value, keyPath string) error {
	if value == "" {
		if !m.IsNil() {
			m.SetMapIndex(reflect.ValueOf(key), reflect.Value{})
		}
		return nil
	}
	elem := reflect.New(m.Type().Elem()).Elem()
	if err := decodeScalar(elem, value, join(keyPath, key)); err != nil {
		return err
	}
	if m.IsNil() {
		m.Set(reflect.MakeMap(m.Type()))
	}
	m.SetMapIndex(reflect.ValueOf(key), elem)
	return nil
}

// secretEnvNames collects the variables named by clients' client_secret_env, top level and hosts.
func secretEnvNames(cfg *Config) map[string]bool {
	names := map[string]bool{}
	for _, c := range cfg.Clients {
		names[c.SecretEnv] = true
	}
	for _, h := range cfg.Hosts {
		for _, c := range h.Clients {
			names[c.SecretEnv] = true
		}
	}
	return names
}
