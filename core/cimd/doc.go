// Package cimd fetches OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): the
// JSON client metadata a client publishes at the https URL it uses as its client_id. It fetches them the safe way
// for a server that dereferences URLs chosen by strangers: https only, no redirects,
// a size and a time limit, and no connection to a loopback, private, link-local or otherwise special address
// (checked on the address actually dialled, so a name that resolves to one, or starts to, is refused), with a
// bounded cache that honours the documents' Cache-Control and one fetch at a time per URL.
//
// It validates neither the client_id URL beyond what fetching needs nor the metadata: core/registration has the
// draft's rules and the registration rules, and sees this package only as its Fetcher interface. It must not
// import fiber, badger, pgx or any other package of the module: it is net/http and the standard library only.
package cimd
