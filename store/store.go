package store

import (
	"context"
	"time"
)

// Store is a backend: one typed sub-store per entity. Every method takes the host id (or a record carrying it)
// and never sees another host's data. A method that returns nil after a write has made it durable.
//
// Expiry: every record with an ExpiresAt is treated as absent (ErrNotFound) once the backend's clock reaches it,
// on every read and consume; physical removal happens in the background.
type Store interface {
	Users() UserStore
	Sessions() SessionStore
	Clients() ClientStore
	Consents() ConsentStore
	Grants() GrantStore
	Tokens() TokenStore
	Codes() CodeStore
	DeviceCodes() DeviceCodeStore
	Keys() KeyStore
	Interactions() InteractionStore
	RevokedClients() RevokedClientStore
	// DPoPProofs remembers the jti of accepted DPoP proofs (replay protection shared by a host's instances).
	DPoPProofs() DPoPProofStore
	// AdminTokens are the server's admin API tokens: server-wide, under no host.
	AdminTokens() AdminTokenStore
	// Close flushes and releases the backend. Calls after Close return ErrClosed.
	Close() error
}

// UserUpdate says what else an update of a user ends, in the same write.
type UserUpdate struct {
	EndSessions  bool // every login session of the user
	RevokeGrants bool // every grant (token chain) of the user
}

// UserStore keeps accounts. Usernames are unique per host among live users; ids are never reused.
type UserStore interface {
	// Create adds a user; ErrConflict if the id exists (even as a tombstone) or the username is taken.
	Create(ctx context.Context, u *User) error
	// Get returns a live user by id; ErrNotFound for unknown ids and tombstones.
	Get(ctx context.Context, host, id string) (*User, error)
	// GetByUsername returns a live user by normalised username.
	GetByUsername(ctx context.Context, host, username string) (*User, error)
	// Update replaces a live user (a changed username moves its index entry; ErrConflict if taken) and, in the
	// same write, ends what opts says.
	Update(ctx context.Context, u *User, opts UserUpdate) error
	// Delete turns the user into a tombstone, frees the username, ends every session and revokes every grant of
	// the user, in one write.
	Delete(ctx context.Context, host, id string) error
	// List returns the live users of a host ordered by username.
	List(ctx context.Context, host string) ([]*User, error)
}

// SessionStore keeps browser login sessions by the hash of their cookie.
type SessionStore interface {
	Put(ctx context.Context, s *Session) error
	Get(ctx context.Context, host, id string) (*Session, error)
	Delete(ctx context.Context, host, id string) error
	// DeleteByUser ends every session of a user and returns how many there were.
	DeleteByUser(ctx context.Context, host, userID string) (int, error)
	// ListByUser returns the user's live sessions, oldest first (by CreatedAt, then id): what an account page
	// shows as the user's active sessions.
	ListByUser(ctx context.Context, host, userID string) ([]*Session, error)
	// DeleteByUserExcept ends every session of a user but keep (the id of the session asking, which stays) in one
	// write and returns how many live sessions it ended: "sign out everywhere else".
	DeleteByUserExcept(ctx context.Context, host, userID, keep string) (int, error)
}

// ClientStore keeps the operator's static clients.
type ClientStore interface {
	// Create adds a client; ErrConflict if the id exists.
	Create(ctx context.Context, c *Client) error
	// Put creates or replaces a client (used to sync clients declared in the config file).
	Put(ctx context.Context, c *Client) error
	Get(ctx context.Context, host, id string) (*Client, error)
	// Update replaces an existing client; ErrNotFound if it does not exist.
	Update(ctx context.Context, c *Client) error
	// Delete removes a client and revokes every grant issued to it, in one write.
	Delete(ctx context.Context, host, id string) error
	// List returns a host's clients ordered by id.
	List(ctx context.Context, host string) ([]*Client, error)
}

// ConsentStore keeps remembered consents (user × client → scopes).
type ConsentStore interface {
	Put(ctx context.Context, c *Consent) error
	Get(ctx context.Context, host, userID, clientID string) (*Consent, error)
	Delete(ctx context.Context, host, userID, clientID string) error
	ListByUser(ctx context.Context, host, userID string) ([]*Consent, error)
}

// GrantStore keeps grants, the owners of token chains.
type GrantStore interface {
	// Create adds a grant; ErrConflict if the id exists. Tokens of the new grant, if any, are stored in the same
	// write and extend its expiry as Tokens.Put does (a grant issued at once: client credentials, password,
	// implicit).
	Create(ctx context.Context, g *Grant, toks ...*Token) error
	// Get returns a grant, revoked or not (Revoked tells); ErrNotFound when unknown or expired.
	Get(ctx context.Context, host, id string) (*Grant, error)
	// Revoke marks the grant revoked: every token of its chain is inactive from this write on. Idempotent;
	// ErrNotFound for an unknown grant.
	Revoke(ctx context.Context, host, id string) error
	// RevokeByUser revokes every grant of a user in one write and returns how many were live.
	RevokeByUser(ctx context.Context, host, userID string) (int, error)
	// ListByUser returns the user's live, unrevoked grants.
	ListByUser(ctx context.Context, host, userID string) ([]*Grant, error)
}

// TokenStore keeps access and refresh tokens by the hash of their value.
type TokenStore interface {
	// Put stores tokens of one grant and extends the grant's expiry to cover them, in one write. ErrRevoked if
	// the grant is revoked, ErrNotFound if it does not exist.
	Put(ctx context.Context, tokens ...*Token) error
	// Get returns a usable token: ErrNotFound when unknown or expired, ErrRevoked (with the token) when it or its
	// grant was revoked, ErrAlreadyUsed (with the token) for a rotated refresh token.
	Get(ctx context.Context, host, id string) (*Token, error)
	// Rotate atomically marks the refresh token id used and stores next (same grant). If it was already used it
	// returns the old token with ErrAlreadyUsed and stores nothing; exactly one of two racing rotations wins.
	Rotate(ctx context.Context, host, id string, next ...*Token) (*Token, error)
	// Revoke marks one token revoked (RFC 7009 for an access token). Idempotent; ErrNotFound when unknown.
	Revoke(ctx context.Context, host, id string) error
}

// CodeStore keeps authorization codes by the hash of their value.
type CodeStore interface {
	// Put stores a code; ErrConflict if the id exists. With grant, the code's new grant is created in the same
	// write (ErrConflict if a live grant has its id): one write issues a code.
	Put(ctx context.Context, c *Code, grant ...*Grant) error
	// Get returns a live code; a used one comes back with ErrAlreadyUsed. It writes nothing, so a request whose
	// binding does not match (client, redirect_uri, code_verifier) leaves the code unused.
	Get(ctx context.Context, host, id string) (*Code, error)
	// Consume marks the code used and returns it, and stores toks (tokens of the code's grant) in the same write:
	// one transaction redeems a code. A second consume returns the code with ErrAlreadyUsed; exactly one of two
	// racing consumers wins. ErrNotFound when unknown or expired; ErrRevoked, with nothing written, when toks
	// are given and the grant is revoked (ErrNotFound when it is gone).
	Consume(ctx context.Context, host, id string, toks ...*Token) (*Code, error)
}

// DeviceCodeStore keeps RFC 8628 device authorizations.
type DeviceCodeStore interface {
	// Put stores a new device code; ErrConflict if its id or user code is taken.
	Put(ctx context.Context, d *DeviceCode) error
	Get(ctx context.Context, host, id string) (*DeviceCode, error)
	GetByUserCode(ctx context.Context, host, userCode string) (*DeviceCode, error)
	// Update replaces a live, unused device code (approval, denial).
	Update(ctx context.Context, d *DeviceCode) error
	// Poll records a poll of a pending device code in one write, so that it never overwrites a concurrent
	// approval or denial: LastPollAt becomes at and, when the previous poll came less than Interval seconds minus
	// jitter earlier, Interval grows by slowDown seconds for this and every later poll (RFC 8628 §3.5). It
	// returns the record and whether the poll was too early. A device code that is not pending is returned as it
	// is, without a write; a used one with ErrAlreadyUsed.
	Poll(ctx context.Context, host, id string, at time.Time, jitter time.Duration, slowDown int) (*DeviceCode, bool, error)
	// Consume marks an approved device code used and stores toks in the same write, as CodeStore.Consume; a
	// device code that is not approved comes back with ErrConflict and nothing is written.
	Consume(ctx context.Context, host, id string, toks ...*Token) (*DeviceCode, error)
}

// KeyStore keeps a host's keys (signing keys, internal secrets).
type KeyStore interface {
	// Create adds a key; ErrConflict if the kid exists.
	Create(ctx context.Context, k *Key) error
	Put(ctx context.Context, k *Key) error
	Get(ctx context.Context, host, kid string) (*Key, error)
	// List returns the host's unexpired keys of one use, oldest first.
	List(ctx context.Context, host, use string) ([]*Key, error)
	Delete(ctx context.Context, host, kid string) error
}

// InteractionStore keeps the state of authorization requests in progress.
type InteractionStore interface {
	// Put creates or replaces a live, unused interaction (a new one, or one that advanced a step).
	Put(ctx context.Context, i *Interaction) error
	// Get returns a live interaction; a used one comes back with ErrAlreadyUsed.
	Get(ctx context.Context, host, id string) (*Interaction, error)
	// Consume marks the interaction used as it ends in a code or an error, so its forms cannot be replayed;
	// exactly one of two racing consumers wins, the others get ErrAlreadyUsed.
	Consume(ctx context.Context, host, id string) (*Interaction, error)
}

// RevokedClientStore keeps the bans of dynamically registered clients (their revocation list).
type RevokedClientStore interface {
	// Add bans a registered client: it records r, whose ID is the digest of clientID, and revokes every grant
	// issued to clientID, in one write (as ClientStore.Delete does for a static client). Banning a client again
	// keeps the first record and revokes whatever grants it has now. It returns how many live grants it revoked,
	// and whether r was recorded (false: the client was banned before), so that a ban is reported once.
	Add(ctx context.Context, r *RevokedClient, clientID string) (revoked int, added bool, err error)
	// Get returns the ban of a client by the digest of its id; ErrNotFound when the client is not banned.
	Get(ctx context.Context, host, id string) (*RevokedClient, error)
	// List returns the host's bans, oldest first.
	List(ctx context.Context, host string) ([]*RevokedClient, error)
}

// AdminTokenStore keeps the bearer tokens of the admin HTTP API. Unlike every other sub-store it is server-wide:
// one admin listener manages every host, so a token belongs to no host and its methods take none. A token is
// found by its id (the digest of its value, so a lookup is all authentication needs) and named by its unique
// name, which is how the operator lists and revokes it.
type AdminTokenStore interface {
	// Create adds a token; ErrConflict if a live token has its id or its name (an expired one's name is free).
	Create(ctx context.Context, t *AdminToken) error
	// Get returns a live token by id; ErrNotFound when unknown, revoked or expired.
	Get(ctx context.Context, id string) (*AdminToken, error)
	// List returns the live tokens ordered by name.
	List(ctx context.Context) ([]*AdminToken, error)
	// Revoke removes the live token named name, so it stops authenticating from this write on; ErrNotFound when
	// no live token has that name.
	Revoke(ctx context.Context, name string) error
	// Touch records that the token id was used at at (LastUsedAt, never moved back); ErrNotFound when the token
	// is not live.
	Touch(ctx context.Context, id string, at time.Time) error
}

// Clock is the time source every backend takes; tests inject one.
type Clock func() time.Time
