package oidc

import "github.com/assentry/assentry/store"

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
		return "xmpp:" + u.Username + "@" + s.Domain
	}
	return u.ID
}
