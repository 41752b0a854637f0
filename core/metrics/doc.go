// Package metrics is Assentry's Prometheus instrumentation: a Metrics value owns a private registry (never the
// global one) with the build info and Go and process collectors, and implements the small observer interfaces
// the other packages define without importing Prometheus: httpapi.Observer (requests), events.Sink (tokens,
// logins, every event), policy.Observer (plugin calls) and store/badger's Observer (reads, writes, commits).
// Collectors read the rest at scrape time: the store's sizes and free space, stale plugins, signing key ages.
// Handler serves the registry; the admin listener mounts it.
//
// Every label is bounded by the configuration or by the code, never by what clients send: hosts are configured
// ids (anything else is "unknown"), endpoints are route patterns, and no label carries a client_id, a username
// or any other identifier. It imports Prometheus and core packages, never fiber, Badger or core/httpapi.
package metrics
