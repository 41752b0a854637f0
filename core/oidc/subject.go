package oidc

import (
	"strings"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/store"
)

// Subject formats (subject_format in config).
const (
	// SubjectOpaque: sub is the user's immutable random id, stable per host and never reused, even after the
	// user is deleted or renamed. The default.
	SubjectOpaque = "opaque"
	// SubjectXMPP: sub is "xmpp:user@host", as mod_http_oauth2 issues it. It follows the username, so renaming
	// a user changes their sub.
	SubjectXMPP = "xmpp"
)

// Subjects maps users to the sub claim of one host (OIDC Core §2: locally unique, never reassigned).
type Subjects struct {
	Format string
	Domain string // the host's domain for the xmpp format
}

// Of returns the user's subject.
func (s Subjects) Of(u *store.User) string {
	if s.Format == SubjectXMPP {
		return xmppPrefix + u.Username + "@" + s.Domain
	}
	return u.ID
}

// xmppPrefix starts every sub of the xmpp format.
const xmppPrefix = "xmpp:"

// Collides reports whether a client_id could be taken for a user's sub in this format, which matters when the
// client acts for itself and its client_id is the token's sub (client credentials; RFC 9700 §4.15): with opaque
// subjects an id shaped like a user id, with xmpp subjects an id starting with "xmpp:" (in any case, for a
// resource server that compares loosely).
func (s Subjects) Collides(clientID string) bool {
	if s.Format == SubjectXMPP {
		return len(clientID) >= len(xmppPrefix) && strings.EqualFold(clientID[:len(xmppPrefix)], xmppPrefix)
	}
	return account.LooksLikeID(clientID)
}
