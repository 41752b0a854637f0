package storetest

import (
	"errors"
	"testing"

	"github.com/assentry/assentry/store"
)

// testClosed checks that every method returns ErrClosed after Close, and that Close can be called again.
func testClosed(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.populate(hostA)
	e.must(e.s.Close())
	s, ctx, h := e.s, e.ctx, hostA
	g := e.newGrant(h, "g1", "u1", "c1")
	calls := map[string]error{
		"Users.Create":              s.Users().Create(ctx, newUser(h, "u9", "zed")),
		"Users.Get":                 second(s.Users().Get(ctx, h, "u1")),
		"Users.GetByUsername":       second(s.Users().GetByUsername(ctx, h, "alice")),
		"Users.Update":              s.Users().Update(ctx, newUser(h, "u1", "alice"), store.UserUpdate{}),
		"Users.Delete":              s.Users().Delete(ctx, h, "u1"),
		"Users.List":                second(s.Users().List(ctx, h)),
		"Sessions.Put":              s.Sessions().Put(ctx, e.newSession(h, "s9", "u1", sessionTTL)),
		"Sessions.Get":              second(s.Sessions().Get(ctx, h, "s1")),
		"Sessions.Delete":           s.Sessions().Delete(ctx, h, "s1"),
		"Sessions.DeleteByUser":     second(s.Sessions().DeleteByUser(ctx, h, "u1")),
		"Clients.Create":            s.Clients().Create(ctx, newClient(h, "c9")),
		"Clients.Put":               s.Clients().Put(ctx, newClient(h, "c1")),
		"Clients.Get":               second(s.Clients().Get(ctx, h, "c1")),
		"Clients.Update":            s.Clients().Update(ctx, newClient(h, "c1")),
		"Clients.Delete":            s.Clients().Delete(ctx, h, "c1"),
		"Clients.List":              second(s.Clients().List(ctx, h)),
		"Consents.Put":              s.Consents().Put(ctx, e.newConsent(h, "u1", "c9", 0)),
		"Consents.Get":              second(s.Consents().Get(ctx, h, "u1", "c1")),
		"Consents.Delete":           s.Consents().Delete(ctx, h, "u1", "c1"),
		"Consents.ListByUser":       second(s.Consents().ListByUser(ctx, h, "u1")),
		"Grants.Create":             s.Grants().Create(ctx, e.newGrant(h, "g9", "u1", "c1")),
		"Grants.Get":                second(s.Grants().Get(ctx, h, "g1")),
		"Grants.Revoke":             s.Grants().Revoke(ctx, h, "g1"),
		"Grants.RevokeByUser":       second(s.Grants().RevokeByUser(ctx, h, "u1")),
		"Grants.ListByUser":         second(s.Grants().ListByUser(ctx, h, "u1")),
		"Tokens.Put":                s.Tokens().Put(ctx, e.newToken(g, "at9", store.AccessToken)),
		"Tokens.Get":                second(s.Tokens().Get(ctx, h, "g1-at")),
		"Tokens.Rotate":             second(s.Tokens().Rotate(ctx, h, "g1-rt", e.newToken(g, "rt9", store.RefreshToken))),
		"Tokens.Revoke":             s.Tokens().Revoke(ctx, h, "g1-at"),
		"Codes.Put":                 s.Codes().Put(ctx, e.newCode(h, "ac9", "g1")),
		"Codes.Consume":             second(s.Codes().Consume(ctx, h, "ac1")),
		"DeviceCodes.Put":           s.DeviceCodes().Put(ctx, e.newDeviceCode(h, "dc9", "ZZZZZZZZ")),
		"DeviceCodes.Get":           second(s.DeviceCodes().Get(ctx, h, "dc1")),
		"DeviceCodes.GetByUserCode": second(s.DeviceCodes().GetByUserCode(ctx, h, "WDJBMJHT")),
		"DeviceCodes.Update":        s.DeviceCodes().Update(ctx, e.newDeviceCode(h, "dc1", "WDJBMJHT")),
		"DeviceCodes.Consume":       second(s.DeviceCodes().Consume(ctx, h, "dc1")),
		"Keys.Create":               s.Keys().Create(ctx, newKey(h, "k9", "sig", t0)),
		"Keys.Put":                  s.Keys().Put(ctx, newKey(h, "k1", "sig", t0)),
		"Keys.Get":                  second(s.Keys().Get(ctx, h, "k1")),
		"Keys.List":                 second(s.Keys().List(ctx, h, "sig")),
		"Keys.Delete":               s.Keys().Delete(ctx, h, "k1"),
	}
	for what, err := range calls {
		e.is(what, err, store.ErrClosed)
	}
	if err := s.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		t.Errorf("second Close: %v, want nil or ErrClosed", err)
	}
}
