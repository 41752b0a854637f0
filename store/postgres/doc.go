// Package postgres is the PostgreSQL backend of the store: every store interface on one database that several
// Assentry instances may share, with one-time consumes and grant revocation made atomic by the database (row
// locks and conditional updates) rather than by one process.
//
// It is the only package that imports pgx. The SQL stays portable to CockroachDB where that is cheap: no
// advisory locks, no PostgreSQL-only functions on the hot path (jsonb_set is the one JSON function used; both
// engines have it). Every read is one round trip and every write one transaction of one or two pipelined round
// trips (pipeline.go); failures to reach or keep the database are store.ErrUnavailable (unavailable.go).
package postgres
