// Package pgtest opens a real PostgreSQL store in a schema of its own, dropped when the test ends, so that tests
// of core packages run against PostgreSQL as they run against Badger (badgertest). The server is the one
// ASSENTRY_TEST_POSTGRES_DSN names; without it a test skips, and fails under CI=true. Only tests import it.
package pgtest
