// Package token signs and verifies a host's JWTs (OpenID Connect id_tokens) with asymmetric keys it generates on
// first start, keeps in the store sealed under the key_encryption_key, rotates on a schedule and publishes as a JWKS.
//
// It depends only on the store contract, core/events and golang-jwt; it must not import fiber, badger or net/http.
package token
