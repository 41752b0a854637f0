package config

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written as a Go duration string ("90s", "1h30m") in YAML and in environment
// overrides. A bare number is refused (is 3600 seconds or nanoseconds?); "0" and "0s" are zero. Negative values
// parse, and the rules of each key decide whether they are allowed, so the error carries the key path.
type Duration time.Duration

// Std returns the value as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats the duration the way it is written in the file.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML parses a scalar duration. Errors are *yaml.TypeError with the line, so the decoder keeps going
// and every bad value of the file is reported together.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a duration such as 90s or 1h", n.Line)}}
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*d = v
	return nil
}

// UnmarshalText parses a duration from text (environment variables, flags).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText formats the duration, so that Settings can be dumped back as text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func parseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: want a number with a unit, such as 90s, 30m or 1h", s)
	}
	return Duration(v), nil
}

// ttl returns the value of an optional duration key, or def when it is not set.
func ttl(d *Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return time.Duration(*d)
}
