// Package dpop validates DPoP proofs (RFC 9449): the JWS a client sends in the DPoP header to show that it
// holds the private key an access or refresh token is bound to. It checks a proof against the request it came
// with (§4.3), issues and checks the server's nonces (§8), and remembers the jti of accepted proofs (§11.1).
//
// It knows neither HTTP frameworks nor storage engines: the caller hands it the request's method, external URL
// and DPoP header values, and a store.DPoPProofStore for the jti records. It must not import fiber, badger or
// pgx, nor core/oauth (which imports it).
package dpop
