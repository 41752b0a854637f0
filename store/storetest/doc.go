// Package storetest is the conformance suite every store backend runs: storetest.Run(t, open) exercises every
// method of every sub-store (CRUD, uniqueness, tombstones, expiry on a fake clock, racing consumers, family
// revocation, host isolation, durability across a reopen, ErrClosed, moving a host to another store with
// store.HostExporter) against the contract in package store, and the optional store.Leases and
// store.InstanceRegistry where a backend has them. Transfer runs the moving case between two backends.
//
// A backend's test is a few lines: an Opener that opens the backend on a directory with the given clock. The
// directory names the data set: the suite makes a fresh one per test (t.TempDir) and calls the Opener a second
// time with the same directory, after Close, to check that what was written survived. A file backend (Badger)
// uses it as its data directory; a server backend (PostgreSQL) derives a schema or database name from it,
// creating it on first use and reusing it on the second, and skips with a clear message when its DSN is absent.
// Tests run in parallel, one backend instance each; the clock starts at 2030-01-02T03:04:05Z and moves only
// when a test advances it, so a backend must take every "now" (expiry checks, UsedAt, RevokedAt) from it.
//
// Where the doc comments of package store are silent, the suite pins one behaviour so that backends agree:
//   - a Delete (and Revoke) of an unknown or expired record returns ErrNotFound;
//   - an expired record does not block a Create/Put of the same id (ErrConflict is for live records only), but a
//     user tombstone does, forever;
//   - DeviceCodes.Get and GetByUserCode return a consumed device code without error (UsedAt tells, as Revoked
//     does for Grants.Get); DeviceCodes.Consume of a pending or denied code returns it with ErrConflict and
//     consumes nothing;
//   - Tokens.Rotate of an access token is ErrNotFound (there is no such refresh token), and of a revoked token
//     or a token of a revoked grant ErrRevoked;
//   - Tokens.Get of a token whose grant is gone reports ErrRevoked, not ErrNotFound;
//   - usernames and user codes are compared exactly: normalising them is the caller's job.
//
// It imports only the standard library and package store: never a driver (no badger, no pgx) and nothing from
// core.
package storetest
