// Package session implements browser login sessions (random 256-bit cookies stored as SHA-256, rotated at login,
// bounded by session_ttl) and the CSRF tokens every form carries. The consent state machine joins it with the
// authorization code flow.
//
// It works on plain values, not HTTP types: it must not import fiber, badger or net/http.
package session
