// Package badger is Assentry's default, embedded store backend: it implements store.Store on Badger v4 with
// fsynced (group-committed) writes, host-prefixed keys, JSON values and atomic consume/rotate transactions.
// Expiry is always decided by the injected clock; Badger TTLs only reclaim space.
//
// It is the only package that imports github.com/dgraph-io/badger; it must not import core, policy or cmd.
// See layout.go for the key layout.
package badger
