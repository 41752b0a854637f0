// Package loadtest is the load generator behind `assentry loadtest`: it measures what an OAuth 2.0 server on this
// machine does per second, scenario by scenario (client credentials, introspection, refresh rotation, userinfo,
// the silent authorization-code round trip, the device flow), next to the ceiling of the same client against a
// bare HTTP server it starts itself.
//
// Load goes to loopback only: a target whose host does not resolve only to loopback addresses is refused before
// anything is sent, and every connection the client opens is checked again at dial time, so neither a name that
// changes its answer nor a redirect can send it anywhere else (target.go). Every run is bounded by a duration,
// optionally by a count, and by its context (SIGINT in the command).
//
// One run of a scenario: setup (the credentials are checked with one request; each worker of a browser scenario
// signs in once through the server's own login and consent forms), a warmup that is not recorded, then the
// measured phase. Each worker records into its own fixed-size histogram (histogram.go), merged at the end, so
// recording costs no allocation and no lock.
//
// The scenarios that use no page (client_credentials, introspect, refresh with --refresh-token-file) work
// against any OAuth 2.0 server: the endpoints' paths are read from its RFC 8414 (or OpenID discovery) metadata
// when it has some. The others script Assentry's login, consent and device pages by their documented form fields
// (themes/README.md).
//
// It imports nothing of the module: it talks to a server over HTTP only. Its tests build a real Assentry host
// with core/assembly, as `assentry serve` does.
package loadtest
