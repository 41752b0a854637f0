// Command sasl-oauthbearer is an example resource server that signs clients in with SASL OAUTHBEARER (RFC 7628)
// and tokens from Assentry, using the oauthbearer package: a tiny IMAP-like server (AUTHENTICATE OAUTHBEARER
// with SASL-IR, CAPABILITY, LOGOUT) on a loopback address, and a client mode that signs in to it. Tokens are
// checked by introspection, or, with -jwt-audience, as JWT access tokens verified locally with the issuer's JWKS.
// README.md beside this file shows a session; main_test.go and jwt_test.go run it against a real `assentry serve`.
//
// It is an example, not a mail server: it has no TLS (so it listens on loopback only) and no mailbox.
package main
