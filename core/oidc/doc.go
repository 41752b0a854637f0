// Package oidc is the OpenID Connect layer over core/oauth: subjects, id_tokens, claims per scope, userinfo,
// the discovery document and RP-initiated logout decisions (OIDC Core 1.0, Discovery 1.0, RP-Initiated Logout
// 1.0).
//
// It must not import fiber, badger or net/http; keys and signing come from core/token.
package oidc
