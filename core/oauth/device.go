package oauth

import (
	"context"
	"errors"
	"time"

	"github.com/assentry/assentry/store"
)

// Device authorization (RFC 8628): the endpoint a device starts at, and the verification of its user code in the
// browser. The polling grant is in grant_device.go.

const (
	// DeviceInterval is the minimum number of seconds between polls a device is told (RFC 8628 §3.2).
	DeviceInterval = 5
	// devicePollJitter is how much earlier than its interval a poll may come before it is slow_down: clocks and
	// networks are not exact.
	devicePollJitter = time.Second
	// deviceSlowDown is how many seconds slow_down adds to the interval (RFC 8628 §3.5).
	deviceSlowDown = 5
	// deviceExpiredKept is how long a device code's record outlives the code, so that late polls are told
	// expired_token rather than invalid_grant.
	deviceExpiredKept = 10 * time.Minute
	// defaultDeviceCodeTTL applies when Settings leaves DeviceCodeTTL zero.
	defaultDeviceCodeTTL = 10 * time.Minute
	// userCodeTries bounds the draws of a new user code that collides with a live one.
	userCodeTries = 8
)

// Device code statuses: the store's, which it acts on.
const (
	DevicePending  = store.DevicePending
	DeviceApproved = store.DeviceApproved
	DeviceDenied   = store.DeviceDenied
)

// DeviceAuthorizationRequest is a request to the device authorization endpoint (RFC 8628 §3.1).
type DeviceAuthorizationRequest struct {
	Params    Params
	Client    ClientCredentials
	Transport Transport
}

// DeviceAuthorizationResponse is RFC 8628 §3.2.
type DeviceAuthorizationResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int    `json:"interval"`
}

// VerificationURI is where the user enters a user code: <issuer>/device.
func (p *Provider) VerificationURI() string { return p.Settings.Issuer + "/device" }

// DeviceAuthorization serves the device authorization endpoint (RFC 8628 §3.1–3.2). The client authenticates
// as at the token endpoint (a public client by its client_id alone) and must be registered for the device grant.
// The device code is 256 random bits stored as its digest; the user code is drawn from the base-20 alphabet and
// is unique among live device codes (the store refuses a taken one, and another is drawn).
func (p *Provider) DeviceAuthorization(ctx context.Context, r *DeviceAuthorizationRequest) (*DeviceAuthorizationResponse, *Error) {
	client, e := p.AuthenticateClient(ctx, r.Client, r.Transport.ClientAddr)
	if e != nil {
		return nil, e
	}
	if !p.Serves(GrantDeviceCode) {
		return nil, UnsupportedGrantType("the device authorization grant is not enabled on this server")
	}
	if !hasGrant(client, GrantDeviceCode) {
		return nil, UnauthorizedClient("the client is not registered for the device authorization grant")
	}
	// RFC 8628 §3.2 answers with RFC 6749 §5.2's codes: a malformed scope is invalid_scope; unknown well-formed
	// scopes are dropped, as at the authorization endpoint.
	requested, e := ParseScope(r.Params["scope"])
	if e != nil {
		return nil, e
	}
	now := p.now()
	ttl := ttlOr(p.Settings.DeviceCodeTTL, defaultDeviceCodeTTL)
	deviceCode, id := newSecret(PrefixDeviceCode)
	d := &store.DeviceCode{ID: id, Host: p.Host, ClientID: client.ID,
		Scopes: nonNil(p.Scopes.Known(requested, client.Scopes)), Status: DevicePending,
		Interval: DeviceInterval, IssuedAt: now, ValidUntil: now.Add(ttl), ExpiresAt: now.Add(ttl + deviceExpiredKept)}
	var userCode string
	for try := 0; ; try++ {
		code, err := newUserCode(p.random)
		if err != nil {
			return nil, ServerError(err)
		}
		d.UserCode, userCode = Digest(code), code
		err = p.DeviceCodes.Put(ctx, d)
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrConflict) || try == userCodeTries-1 {
			return nil, ServerError(err)
		}
		p.log().Info("user code collision, drawing another", "try", try+1)
	}
	shown := FormatUserCode(userCode)
	return &DeviceAuthorizationResponse{DeviceCode: deviceCode, UserCode: shown, VerificationURI: p.VerificationURI(),
		VerificationURIComplete: AddQuery(p.VerificationURI(), map[string][]string{"user_code": {shown}}),
		ExpiresIn:               int64(ttl / time.Second), Interval: DeviceInterval}, nil
}

// ErrUnknownUserCode: the user code is malformed, unknown, expired, or already approved or denied. One error for
// all, so the page reveals nothing to someone guessing codes.
var ErrUnknownUserCode = errors.New("unknown or expired user code")

// StartDeviceVerification starts the browser side of a device authorization (RFC 8628 §3.3): the user typed
// userCode. It records an interaction bound to the browser, as an authorization request does, that ends in the
// device code being approved or denied.
func (p *Provider) StartDeviceVerification(ctx context.Context, typed, browser string) (*store.Interaction, error) {
	code, ok := NormalizeUserCode(typed)
	if !ok {
		return nil, ErrUnknownUserCode
	}
	d, err := p.DeviceCodes.GetByUserCode(ctx, p.Host, Digest(code))
	if err := p.awaitingUser(d, err); err != nil {
		return nil, err
	}
	if _, err := p.Clients.Get(ctx, d.ClientID); err != nil {
		if errors.Is(err, ErrClientNotFound) || isGone(err) {
			return nil, ErrUnknownUserCode
		}
		return nil, err
	}
	now := p.now()
	exp := now.Add(InteractionTTL)
	if d.ValidUntil.Before(exp) {
		exp = d.ValidUntil
	}
	// Stored by Advance when it shows the login or consent page, which it always does for a device.
	return &store.Interaction{ID: newInteractionID(), Host: p.Host, Browser: Digest(browser), ClientID: d.ClientID,
		Scopes: d.Scopes, MaxAge: -1, DeviceCodeID: d.ID, CreatedAt: now, ExpiresAt: exp}, nil
}

// awaitingUser checks a device code read for its verification (d and the read's err): nil when it still waits
// for the user's decision (pending, not redeemed, not expired), ErrUnknownUserCode when it does not or is gone,
// and a failing read's error as it is.
func (p *Provider) awaitingUser(d *store.DeviceCode, err error) error {
	switch {
	case isGone(err):
		return ErrUnknownUserCode
	case err != nil:
		return err
	case d.Status != DevicePending || !d.UsedAt.IsZero() || !p.now().Before(d.ValidUntil):
		return ErrUnknownUserCode
	}
	return nil
}

// decideDevice ends a device verification: the device code is approved for the user with the scopes granted (a
// new grant owns the chain the device will redeem) or denied. A device code that is no longer pending or has
// expired meanwhile ends the flow with ErrUnknownUserCode.
func (p *Provider) decideDevice(ctx context.Context, ix *store.Interaction, client *store.Client, user *store.User, scopes []string, approve bool) (*Step, error) {
	d, err := p.DeviceCodes.Get(ctx, p.Host, ix.DeviceCodeID)
	if err := p.awaitingUser(d, err); err != nil {
		return nil, err
	}
	if !approve {
		d.Status = DeviceDenied
	} else {
		now := p.now()
		g := &store.Grant{ID: newGrantID(), Host: p.Host, UserID: user.ID, ClientID: client.ID, Scopes: nonNil(scopes),
			AuthTime: ix.AuthTime, CreatedAt: now, ExpiresAt: d.ValidUntil}
		if err := p.Grants.Create(ctx, g); err != nil {
			return nil, err
		}
		d.Status, d.UserID, d.GrantID, d.Scopes, d.AuthTime = DeviceApproved, user.ID, g.ID, nonNil(scopes), ix.AuthTime
	}
	if err := p.DeviceCodes.Update(ctx, d); err != nil {
		if errors.Is(err, store.ErrAlreadyUsed) || isGone(err) {
			return nil, ErrUnknownUserCode
		}
		return nil, err
	}
	return &Step{Kind: StepDeviceDone, Client: client, User: user, Approved: approve}, nil
}
