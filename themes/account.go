package themes

import "time"

// Account is the data of the account page (/account): what the signed-in user authorized, where they are signed
// in, and what their last action did. The page's forms POST to the paths in AccountPaths.
type Account struct {
	Applications []Application
	Sessions     []ActiveSession
	// Done names what the last action did, for a confirmation: "revoked" (an application's access ended),
	// "signed_out" (the other sessions ended), "password" (the password changed); "" for none.
	Done string
	// SignedOut is how many sessions ended, with Done "signed_out".
	SignedOut int
}

// The account page's form targets (POST, each with the CSRF field).
const (
	AccountPath         = "/account"          // the page itself (GET)
	AccountRevokePath   = "/account/revoke"   // field client_id: end that application's access
	AccountSessionsPath = "/account/sessions" // sign out everywhere else
	AccountPasswordPath = "/account/password" // current_password, new_password, confirm_password
)

// Application is one application the user authorized: one client, with every grant of that client to the user
// and the remembered consent taken together.
type Application struct {
	Client *Client // the client; .Name may be empty (use _client.html)
	// Origin is where the application lives, as the consent page shows it (Client.Origin): the host of its
	// client_uri, else of its redirect URI ("" if neither); for a client identified by its metadata document, the
	// host of its client_id URL.
	Origin string
	Scopes []Scope // what the user allowed, with their titles
	// Resources are the resource indicators (RFC 8707) of its grants: the APIs it acts on. Empty: none named.
	Resources []string
	// FirstUsed is when the user first authorized it (the oldest grant or the remembered consent); LastUsed when
	// it was last used: the last sign-in or token refresh, to within a day (the newest consent update, grant, or
	// issuance of tokens that its grant records). Zero when unknown.
	FirstUsed time.Time
	LastUsed  time.Time
}

// ActiveSession is one of the user's login sessions.
type ActiveSession struct {
	SignedInAt time.Time // when the user signed in (the session's auth_time)
	ExpiresAt  time.Time
	Current    bool // the session of the browser showing the page
}
