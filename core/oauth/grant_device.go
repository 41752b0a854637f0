package oauth

import (
	"context"
	"errors"
	"strings"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
)

// deviceGrant serves grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4–3.5): the device
// polls with its device code until the user approved or denied it, or it expired.
type deviceGrant struct{}

func (deviceGrant) Type() string { return GrantDeviceCode }

// Token answers one poll. The final answers come first, whatever the timing: a poll that comes early after an
// approval still gets the tokens, after a denial access_denied, after the expiry expired_token. Only a pending
// code is subject to the interval: a poll sooner than the interval (less a second of jitter) is slow_down and
// raises the interval by 5 seconds for this and every later poll, persisted with the poll in one write.
func (deviceGrant) Token(ctx context.Context, p *Provider, r *GrantRequest) (*TokenResponse, *Error) {
	dc := r.Params["device_code"]
	if dc == "" {
		return nil, InvalidRequest("device_code is required")
	}
	if !strings.HasPrefix(dc, PrefixDeviceCode) {
		return nil, InvalidGrant("the device code is invalid")
	}
	id := Digest(dc)
	d, err := p.DeviceCodes.Get(ctx, p.Host, id)
	if err != nil {
		return nil, p.deviceCodeError(ctx, d, err)
	}
	// RFC 8628 §3.4 with RFC 6749 §5.2: a device code is the client's own; another client gets invalid_grant and
	// learns nothing about its state.
	if d.ClientID != r.Client.ID {
		return nil, InvalidGrant("the device code was not issued to this client")
	}
	if !d.UsedAt.IsZero() {
		return nil, p.deviceCodeError(ctx, d, store.ErrAlreadyUsed)
	}
	if d.Status == DevicePending && p.now().Before(d.ValidUntil) {
		var early bool
		d, early, err = p.DeviceCodes.Poll(ctx, p.Host, id, p.now(), devicePollJitter, deviceSlowDown)
		switch {
		case err != nil:
			return nil, p.deviceCodeError(ctx, d, err)
		case d.Status == DevicePending && early:
			return nil, SlowDown()
		case d.Status == DevicePending:
			return nil, AuthorizationPending()
		}
		// Approved or denied between the read and the poll: answer that.
	}
	switch {
	case !p.now().Before(d.ValidUntil):
		return nil, ExpiredToken()
	case d.Status == DeviceDenied:
		return nil, AccessDenied("the user denied the request")
	case d.Status != DeviceApproved:
		return nil, InvalidGrant("the device code is invalid")
	}
	return p.Issue(ctx, &Issuance{GrantType: GrantDeviceCode, Flow: policy.FlowDeviceCode, Client: r.Client,
		UserID: d.UserID, GrantID: d.GrantID, Requested: d.Scopes, AuthTime: d.AuthTime, Resource: r.Resource,
		Commit: func(ctx context.Context, toks []*store.Token) error {
			used, err := p.DeviceCodes.Consume(ctx, p.Host, id, toks...)
			if err != nil {
				return p.deviceCodeError(ctx, used, err)
			}
			return nil
		}})
}

// deviceCodeError answers a device code the store refused: a redeemed one is a replay, refused and ending the
// chain it led to (as for an authorization code, RFC 9700 §4.5); an unknown one, or one that is no longer
// approved, is invalid_grant.
func (p *Provider) deviceCodeError(ctx context.Context, d *store.DeviceCode, err error) *Error {
	switch {
	case errors.Is(err, store.ErrAlreadyUsed):
		if d != nil && d.GrantID != "" {
			p.revokeGrant(ctx, d.GrantID, ReasonDeviceCodeReplayed, d.ClientID)
		}
		return InvalidGrant("the device code was already used")
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict):
		return InvalidGrant("the device code is invalid")
	case errors.Is(err, store.ErrRevoked):
		return InvalidGrant("the authorization grant was revoked")
	}
	return ServerError(err)
}
