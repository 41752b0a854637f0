package store

import "errors"

// Sentinel errors returned by every backend. They are compared with errors.Is and never mutated; backends wrap
// them with context (fmt.Errorf("...: %w", store.ErrNotFound)).
var (
	// ErrNotFound: no live record (absent, expired per the injected clock, or deleted).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a uniqueness rule was violated (a username or client id already taken).
	ErrConflict = errors.New("store: conflict")
	// ErrAlreadyUsed: a one-time artifact (code, device code, refresh token) was consumed before. The record is
	// returned alongside so the caller can revoke what was issued from it (RFC 6749 §4.1.2, RFC 9700 §4.14.2).
	ErrAlreadyUsed = errors.New("store: already used")
	// ErrRevoked: the record exists but the grant it belongs to was revoked.
	ErrRevoked = errors.New("store: revoked")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrUnavailable: the backend could not make a write durable (a failed sync, a full disk): nothing is
	// acknowledged, and the caller answers 503 so the client tries again later.
	ErrUnavailable = errors.New("store: unavailable")
)
