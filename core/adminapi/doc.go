// Package adminapi is the admin HTTP API: a JSON REST face over the management dispatcher of core/admin, so
// every operation runs the same code as the CLI, authenticated by the server's admin tokens (read or write
// scope), with its OpenAPI 3.1 document generated from the route table it serves. It also mounts the metrics
// handler and the streamed backup it is given.
//
// It uses net/http only: it must not import fiber or badger, nor core/httpapi.
package adminapi
