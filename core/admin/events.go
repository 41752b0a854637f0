package admin

import (
	"context"

	"github.com/assentry/assentry/core/events"
)

// chainsEnded reports that an operation ended every token chain of a user (a password change, disabling or
// deleting the user: docs/architecture.md §3). userID may be empty when the user is still there to look up.
func (hs *HostServices) chainsEnded(ctx context.Context, username, userID, reason string) {
	if userID == "" {
		if u, err := hs.Accounts.Lookup(ctx, username); err == nil {
			userID, username = u.ID, u.Username
		}
	}
	hs.Events.Emit(ctx, events.Event{Kind: events.TokenRevoked, UserID: userID, Username: username, Reason: reason})
}
