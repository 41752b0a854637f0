// Package registration is dynamic client registration (RFC 7591, OpenID Connect Dynamic Client Registration
// 1.0) compatible with Prosody's mod_http_oauth2: the built-in registration rules, the stateless client_id (a
// JWT of the registered metadata signed with registration.key), the derived client_secret, and the Registry
// that turns a registered client_id back into a client for every flow, minus the ids on the revocation list.
// Documents does the same for clients without registration whose client_id is the URL of their Client ID
// Metadata Document: the draft's rules, then the registration rules and policy.
//
// It must not import fiber, badger or net/http: core/httpapi copies the request body in, the revocation list is
// a store.RevokedClientStore, and metadata documents come through the Fetcher interface (core/cimd).
package registration
