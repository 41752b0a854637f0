// Package assembly builds one running host's core services from its settings and an open store: accounts,
// sessions, static and registered clients, the policy chain, signing keys and the OpenID Connect layer, the
// OAuth provider and the rate limiters. cmd/assentry serves what it builds, and the HTTP tests build their host
// through it too, so the tests exercise the wiring that runs in production rather than a copy of it.
//
// It must not import fiber, badger, any other storage driver, or core/httpapi (whose own tests build hosts
// here); policy engines are handed in, so it imports no engine either.
package assembly
