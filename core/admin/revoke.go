package admin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/store"
)

// RevokeArgs are the arguments of client.revoke: a registered client_id and why it is banned.
type RevokeArgs struct {
	ClientID string `json:"client_id"`
	Reason   string `json:"reason,omitempty"`
}

// BanView is what the CLI shows of a banned registered client.
type BanView struct {
	ID         string    `json:"client_id_sha256"`
	ClientName string    `json:"client_name,omitempty"`
	ClientURI  string    `json:"client_uri,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	RevokedAt  time.Time `json:"revoked_at"`
}

// RevokeResult is the answer of client.revoke: the ban (the first one, when the client was banned before) and
// how many grants this call revoked.
type RevokeResult struct {
	Ban           BanView `json:"ban"`
	GrantsRevoked int     `json:"grants_revoked"`
}

func viewBan(b *store.RevokedClient) BanView {
	return BanView{ID: b.ID, ClientName: b.ClientName, ClientURI: b.ClientURI, Reason: b.Reason, RevokedAt: b.RevokedAt}
}

// registryOf returns the host's registration service, or an error naming the missing setting.
func registryOf(hs *HostServices) (*registration.Registry, error) {
	if hs.Registry == nil {
		return nil, &Error{Kind: KindInvalid, Message: "dynamic client registration is off on this host (registration.key is not set)"}
	}
	return hs.Registry, nil
}

// clientRevoke bans a dynamically registered client: its client_id stops authenticating and authorizing at
// once, and every grant issued to it is revoked. Static clients are deleted with client.del instead.
func clientRevoke(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a RevokeArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	reg, err := registryOf(hs)
	if err != nil {
		return nil, err
	}
	if a.ClientID == "" {
		return nil, &Error{Kind: KindInvalid, Message: "the registered client_id is required"}
	}
	if _, err := hs.Clients.Get(ctx, a.ClientID); err == nil {
		return nil, &Error{Kind: KindInvalid, Message: "this is a static client: delete it with `assentry client del`"}
	}
	ban, n, err := reg.Revoke(ctx, a.ClientID, a.Reason)
	if err != nil {
		return nil, err
	}
	return RevokeResult{Ban: viewBan(ban), GrantsRevoked: n}, nil
}

// clientBans lists the host's banned registered clients, oldest first.
func clientBans(ctx context.Context, hs *HostServices, _ json.RawMessage) (any, error) {
	reg, err := registryOf(hs)
	if err != nil {
		return nil, err
	}
	bans, err := reg.Revoked(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]BanView, 0, len(bans))
	for _, b := range bans {
		out = append(out, viewBan(b))
	}
	return out, nil
}
