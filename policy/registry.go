package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
)

// EngineFactory describes one kind of engine: the plugin file extensions it loads and how to open it. Each
// engine package provides one (lua.Factory(), wasm.Factory()); the binary lists them in one place.
type EngineFactory struct {
	Kind       string   // "lua" or "wasm": the key of a binding's file in the configuration
	Extensions []string // file extensions with the dot, e.g. ".lua"
	Open       func(EngineOptions) (Engine, error)
}

// EngineOptions are what every engine may use.
type EngineOptions struct {
	Log *slog.Logger
	// CacheDir is a directory for compilation caches (the server passes one under data_dir); "" means none,
	// as for the offline `assentry policy` commands.
	CacheDir string
}

// Registry maps engine kinds and file extensions to engine factories.
type Registry struct {
	factories []EngineFactory
}

// NewRegistry checks the factories: a kind, at least one extension and Open each; no kind or extension twice.
func NewRegistry(factories ...EngineFactory) (*Registry, error) {
	r := &Registry{}
	for _, f := range factories {
		switch {
		case f.Kind == "" || f.Open == nil || len(f.Extensions) == 0:
			return nil, fmt.Errorf("policy engine %q: needs a kind, extensions and Open", f.Kind)
		case slices.ContainsFunc(r.factories, func(o EngineFactory) bool { return o.Kind == f.Kind }):
			return nil, fmt.Errorf("policy engine %q: registered twice", f.Kind)
		}
		for _, ext := range f.Extensions {
			if k, ok := r.kindOfExt(ext); ok {
				return nil, fmt.Errorf("policy engine %q: extension %s is already %q's", f.Kind, ext, k)
			}
		}
		r.factories = append(r.factories, f)
	}
	return r, nil
}

func (r *Registry) kindOfExt(ext string) (string, bool) {
	for _, f := range r.factories {
		if slices.Contains(f.Extensions, strings.ToLower(ext)) {
			return f.Kind, true
		}
	}
	return "", false
}

// Kinds lists the registered kinds in order.
func (r *Registry) Kinds() []string {
	var ks []string
	for _, f := range r.factories {
		ks = append(ks, f.Kind)
	}
	return ks
}

// KindFor picks the engine kind of a plugin file by its extension.
func (r *Registry) KindFor(path string) (string, error) {
	if k, ok := r.kindOfExt(filepath.Ext(path)); ok {
		return k, nil
	}
	var exts []string
	for _, f := range r.factories {
		exts = append(exts, f.Extensions...)
	}
	return "", fmt.Errorf("%s: no policy engine for this file type (known: %s)", path, strings.Join(exts, ", "))
}

// Open opens the engine of one kind.
func (r *Registry) Open(kind string, opts EngineOptions) (Engine, error) {
	for _, f := range r.factories {
		if f.Kind == kind {
			return f.Open(opts)
		}
	}
	return nil, fmt.Errorf("no policy engine %q (known: %s)", kind, strings.Join(r.Kinds(), ", "))
}

// OpenAll opens every registered engine, keyed by kind, as ManagerOptions.Engines wants them. On an error the
// engines opened so far are closed.
func (r *Registry) OpenAll(opts EngineOptions) (map[string]Engine, error) {
	out := map[string]Engine{}
	for _, f := range r.factories {
		e, err := f.Open(opts)
		if err != nil {
			_ = CloseEngines(context.Background(), out)
			return nil, fmt.Errorf("policy engine %s: %w", f.Kind, err)
		}
		out[f.Kind] = e
	}
	return out, nil
}

// CloseEngines closes engines (at shutdown, after every Manager using them is closed).
func CloseEngines(ctx context.Context, engines map[string]Engine) error {
	var errs []error
	for _, e := range engines {
		errs = append(errs, e.Close(ctx))
	}
	return errors.Join(errs...)
}
