// Package interaction is the browser side of the flows: the authorization request, login, consent and device
// verification, and the signed-in user's account page (applications, sessions, password). Each call takes what the HTTP layer copied from the request (the form, the browser's cookies and
// address) and returns the next Step: a page to render with its data, or a redirect. The HTTP layer only renders
// steps and writes responses; the decisions (rate limits, authentication, sessions, consent, errors shown or
// redirected) are made here.
//
// It must not import fiber or a store backend.
package interaction
