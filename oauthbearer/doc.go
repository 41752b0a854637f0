// Package oauthbearer checks OAuth 2.0 bearer tokens presented with the SASL OAUTHBEARER mechanism (RFC 7628),
// for the resource servers that accept Assentry's tokens: XMPP servers, IMAP and SMTP servers, anything that
// authenticates with SASL. It parses the client's messages exactly as RFC 7628 §3.1 writes them, verifies the
// token with a Verifier (token introspection, RFC 7662, behind a bounded cache; or local verification of JWT
// access tokens, RFC 9068), applies the server's rules (required scopes, audience, the authorization identity)
// and answers a failure with the JSON of RFC 7628 §3.2.2.
//
// An Exchange runs one authentication; the server's protocol (IMAP's AUTHENTICATE, XMPP's <auth/>, ...)
// carries its challenges and the client's responses, base64-encoded as that protocol says:
//
//	x := auth.NewExchange()
//	challenge, done, err := x.Next(ctx, initialResponse)
//	// not done: send challenge, read the client's response, call Next again (after a failure the client
//	// answers with a lone %x01 and Next fails the exchange with the *Failure)
//	// done, err == nil: x.Identity() is who signed in
//
// The package is meant to be imported by servers that are not Assentry: it imports nothing of this module and
// nothing outside the standard library except github.com/golang-jwt/jwt/v5.
package oauthbearer
