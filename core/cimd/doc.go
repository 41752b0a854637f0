// Package cimd fetches OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): the
// JSON client metadata a client publishes at the https URL it uses as its client_id. It checks such URLs, and
// fetches them the safe way for a server that dereferences URLs chosen by strangers: https only, no redirects,
// a size and a time limit, and no connection to a loopback, private, link-local or otherwise special address
// (checked on the address actually dialled, so a name that resolves to one, or starts to, is refused), with a
// bounded cache that honours the documents' Cache-Control and one fetch at a time per URL.
//
// It validates nothing of the metadata (core/registration does, with the registration rules) and must not
// import fiber, badger, pgx or any other core package: it is net/http and the standard library only.
package cimd
