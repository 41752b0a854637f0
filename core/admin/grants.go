package admin

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/assentry/assentry/core/events"
)

// GrantArgs are the arguments of the grant operations: a user (grant.list, grant.revoke-user) or one grant
// (grant.revoke).
type GrantArgs struct {
	Username string `json:"username,omitempty"`
	GrantID  string `json:"grant_id,omitempty"`
}

// GrantView is what the operator sees of a grant: one authorization and its chain of tokens (never a token).
type GrantView struct {
	ID        string    `json:"grant_id"`
	ClientID  string    `json:"client_id"`
	Scopes    []string  `json:"scopes"`
	AuthTime  time.Time `json:"auth_time,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// GrantsRevoked is the answer of grant.revoke-user: how many live grants it ended.
type GrantsRevoked struct {
	GrantsRevoked int `json:"grants_revoked"`
}

// grantList lists a user's live, unrevoked grants, newest first.
func grantList(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	u, err := userOf(ctx, hs, raw)
	if err != nil {
		return nil, err
	}
	gs, err := hs.Grants.ListByUser(ctx, hs.Info.ID, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]GrantView, 0, len(gs))
	for _, g := range gs {
		out = append(out, GrantView{ID: g.ID, ClientID: g.ClientID, Scopes: nonNil(g.Scopes), AuthTime: g.AuthTime,
			CreatedAt: g.CreatedAt, ExpiresAt: g.ExpiresAt})
	}
	slices.SortStableFunc(out, func(a, b GrantView) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// grantRevoke ends one grant: every token of its chain is inactive from this write on (docs/architecture.md §3).
func grantRevoke(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a GrantArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	if a.GrantID == "" {
		return nil, &Error{Kind: KindInvalid, Message: "the grant_id is required"}
	}
	if err := hs.Grants.Revoke(ctx, hs.Info.ID, a.GrantID); err != nil {
		return nil, err
	}
	hs.Events.Emit(ctx, events.Event{Kind: events.TokenRevoked, GrantID: a.GrantID, Reason: "grant_revoked"})
	return struct{}{}, nil
}

// grantRevokeUser ends every grant of a user in one write; the user's sessions and account stay.
func grantRevokeUser(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	u, err := userOf(ctx, hs, raw)
	if err != nil {
		return nil, err
	}
	n, err := hs.Grants.RevokeByUser(ctx, hs.Info.ID, u.ID)
	if err != nil {
		return nil, err
	}
	if n > 0 { // nothing was revoked: no token.revoked event
		hs.chainsEnded(ctx, u.Username, u.ID, "grants_revoked")
	}
	return GrantsRevoked{GrantsRevoked: n}, nil
}
