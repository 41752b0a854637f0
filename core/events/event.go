package events

import "time"

// Kind names what happened. The values are part of the audit log's format: never renamed, only added.
type Kind string

// The kinds of events.
const (
	LoginSucceeded   Kind = "login.succeeded"
	LoginFailed      Kind = "login.failed"       // Reason says why; the password is never part of an event
	LoginRateLimited Kind = "login.rate_limited" // refused before the password was checked
	ConsentGiven     Kind = "consent.given"
	ConsentWithdrawn Kind = "consent.withdrawn"
	TokenIssued      Kind = "token.issued"    // a grant's first tokens (code exchange, device, client credentials, ...)
	TokenRefreshed   Kind = "token.refreshed" // a refresh token rotated
	// TokenRevoked: a token or whole grants ended: RFC 7009 revocation, an admin action, the account page. Not
	// logout (RP-Initiated Logout ends the browser session only; the tokens live on until they expire).
	TokenRevoked     Kind = "token.revoked"
	TokenReuse       Kind = "token.reuse_detected"
	TokenIntrospect  Kind = "token.introspected"
	ClientRegistered Kind = "client.registered"
	ClientRevoked    Kind = "client.revoked" // a registered client banned, or a static client deleted
	PolicyDenied     Kind = "policy.denied"
	KeyRotated       Kind = "key.rotated"
	AdminAction      Kind = "admin.action"
)

// Kinds lists every Kind, in the order above: what an allow-list of kinds may name.
func Kinds() []Kind {
	return []Kind{LoginSucceeded, LoginFailed, LoginRateLimited, ConsentGiven, ConsentWithdrawn, TokenIssued,
		TokenRefreshed, TokenRevoked, TokenReuse, TokenIntrospect, ClientRegistered, ClientRevoked, PolicyDenied,
		KeyRotated, AdminAction}
}

// Client kinds: the bounded ClientKind values.
const (
	ClientConfidential = "confidential"
	ClientPublic       = "public"
)

// Outcomes: the bounded Outcome values.
const (
	OutcomeOK     = "ok"
	OutcomeFailed = "failed"
)

// Event is one security-relevant happening on one host. Empty fields are left out of the audit log.
type Event struct {
	Time      time.Time `json:"time"`
	Kind      Kind      `json:"event"`
	Host      string    `json:"host,omitempty"` // the host id; empty for server-wide actions
	RequestID string    `json:"request_id,omitempty"`
	// Actor is who did a management action: "uid:0" over the admin socket, "token:NAME" on the admin API.
	Actor      string `json:"actor,omitempty"`
	IP         string `json:"ip,omitempty"`
	UserID     string `json:"user_id,omitempty"`
	Username   string `json:"username,omitempty"`
	ClientID   string `json:"client_id,omitempty"`
	ClientKind string `json:"client_kind,omitempty"` // ClientConfidential or ClientPublic
	GrantType  string `json:"grant_type,omitempty"`
	GrantID    string `json:"grant_id,omitempty"`
	Scope      string `json:"scope,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
	// Reason says why: a short machine word (bad_password, unknown_user, ...), or for a policy denial the plugin's
	// or rule's own description, as the server log's line of the denial says it.
	Reason string `json:"reason,omitempty"`
	// Detail is free text an operator gave with a management action: the --reason of a client ban. It is the
	// operator's own words, so nothing should parse it; Reason stays the machine word.
	Detail string `json:"detail,omitempty"`
	// Error is the OAuth error code a policy denial was answered with (a refused registration's).
	Error     string `json:"error,omitempty"`
	Hook      string `json:"hook,omitempty"`       // the policy hook of a denial
	Decider   string `json:"decided_by,omitempty"` // the plugin name, "builtin", or "builtin:<member>" for a registration rule
	Op        string `json:"op,omitempty"`         // the management operation
	KeyID     string `json:"kid,omitempty"`
	Algorithm string `json:"alg,omitempty"` // the algorithm of a rotated key
}
