// Package config reads the YAML configuration file and ASSENTRY_* environment overrides, applies every default
// and validates the result at once, handing the server a fully resolved Settings (docs/architecture.md §8).
//
// It is a leaf package: it must not import fiber, badger, pgx or any other core package, so that the
// configuration contract can be loaded and tested on its own.
package config
