package policy

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Defaults of Limits (docs/policy-abi.md "Configuration").
const (
	DefaultTimeout        = 100 * time.Millisecond
	DefaultMaxMemoryPages = 512 // 32 MiB
	DefaultPool           = 8
	DefaultMaxInputBytes  = 64 << 10
	DefaultMaxOutputBytes = 64 << 10
)

// WithDefaults returns l with every zero field set to its default. Engines call it on Source.Limits.
func (l Limits) WithDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.MaxMemoryPages == 0 {
		l.MaxMemoryPages = DefaultMaxMemoryPages
	}
	if l.Pool <= 0 {
		l.Pool = DefaultPool
	}
	if l.MaxInputBytes <= 0 {
		l.MaxInputBytes = DefaultMaxInputBytes
	}
	if l.MaxOutputBytes <= 0 {
		l.MaxOutputBytes = DefaultMaxOutputBytes
	}
	return l
}

// ParseLimits reads a binding's `limits` map as the configuration holds it (timeout_ms, max_memory_pages, pool,
// max_input_bytes) and returns it with defaults for what it leaves out. Unknown keys and values below 1 are
// errors (core/config reports them at load already; this guards other callers).
func ParseLimits(m map[string]int) (Limits, error) {
	var l Limits
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if v <= 0 {
			return Limits{}, fmt.Errorf("limits.%s: must be positive, got %d", k, v)
		}
		switch k {
		case "timeout_ms":
			l.Timeout = time.Duration(v) * time.Millisecond
		case "max_memory_pages":
			l.MaxMemoryPages = uint32(min(v, 65536))
		case "pool":
			l.Pool = v
		case "max_input_bytes":
			l.MaxInputBytes = v
		default:
			return Limits{}, fmt.Errorf("limits.%s: unknown limit", k)
		}
	}
	return l.WithDefaults(), nil
}
