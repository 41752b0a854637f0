// Package oauth holds the RFC 6749 / 7009 / 7636 / 7662 / 8628 logic of Assentry: typed requests and responses,
// one file per grant, client authentication, PKCE, redirect-URI matching and the *oauth.Error constructors. The
// operator's static clients are managed here too.
//
// It must not import fiber or badger: core/httpapi copies requests into its types. From net/http it takes only
// types and constants (status codes, http.Header in Transport), never a server or a client.
package oauth
