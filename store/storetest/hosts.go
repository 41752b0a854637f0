package storetest

import (
	"testing"

	"github.com/assentry/assentry/store"
)

// testHostIsolation writes the same ids under two hosts and checks that no read, write or list of one host
// sees or touches the other, for every sub-store.
func testHostIsolation(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.populate(hostA)
	e.checkEmpty(hostB)
	e.checkWorld(hostA)

	e.populate(hostB) // same ids, same username, same user code: no conflict across hosts
	e.checkWorld(hostB)
	e.must(e.s.Consents().Delete(e.ctx, hostB, "u1", "c1"))
	e.must(e.s.Users().Delete(e.ctx, hostB, "u1"))
	e.must(e.s.Clients().Delete(e.ctx, hostB, "c1"))
	_, err := e.s.Codes().Consume(e.ctx, hostB, "ac1")
	e.must(err)
	_, err = e.s.DeviceCodes().Consume(e.ctx, hostB, "dc1")
	e.must(err)
	e.must(e.s.Keys().Delete(e.ctx, hostB, "k1"))
	e.checkWorld(hostA)
	_, err = e.s.Codes().Consume(e.ctx, hostA, "ac1") // the code is the one record checkWorld cannot read
	e.is("Codes.Consume@"+hostA, err, nil)
}

// populate writes one record of every kind under host, with ids shared by every host.
func (e *env) populate(host string) {
	e.t.Helper()
	e.must(e.s.Users().Create(e.ctx, newUser(host, "u1", "alice")))
	e.must(e.s.Sessions().Put(e.ctx, e.newSession(host, "s1", "u1", sessionTTL)))
	e.must(e.s.Clients().Create(e.ctx, newClient(host, "c1")))
	e.must(e.s.Consents().Put(e.ctx, e.newConsent(host, "u1", "c1", 0)))
	e.newChain(host, "g1", "u1", "c1")
	e.must(e.s.Codes().Put(e.ctx, e.newCode(host, "ac1", "g1")))
	d := e.newDeviceCode(host, "dc1", "WDJBMJHT")
	d.Status = "approved"
	e.must(e.s.DeviceCodes().Put(e.ctx, d))
	e.must(e.s.Keys().Create(e.ctx, newKey(host, "k1", "sig", t0)))
}

// checkWorld checks that everything populate wrote under host is there, live and unused (but the code, which
// only Consume can read).
func (e *env) checkWorld(host string) {
	e.t.Helper()
	live := map[string]error{}
	_, live["Users.Get"] = e.s.Users().Get(e.ctx, host, "u1")
	_, live["Users.GetByUsername"] = e.s.Users().GetByUsername(e.ctx, host, "alice")
	_, live["Sessions.Get"] = e.s.Sessions().Get(e.ctx, host, "s1")
	_, live["Clients.Get"] = e.s.Clients().Get(e.ctx, host, "c1")
	_, live["Consents.Get"] = e.s.Consents().Get(e.ctx, host, "u1", "c1")
	_, live["Tokens.Get g1-at"] = e.s.Tokens().Get(e.ctx, host, "g1-at") // also: g1 is not revoked
	_, live["Tokens.Get g1-rt"] = e.s.Tokens().Get(e.ctx, host, "g1-rt")
	_, live["Keys.Get"] = e.s.Keys().Get(e.ctx, host, "k1")
	d, err := e.s.DeviceCodes().GetByUserCode(e.ctx, host, "WDJBMJHT")
	live["DeviceCodes.GetByUserCode"] = err
	if err == nil && !d.UsedAt.IsZero() {
		e.t.Errorf("device code dc1@%s used", host)
	}
	for what, err := range live {
		e.is(what+"@"+host, err, nil)
	}
	for what, n := range map[string]int{
		"Users.List":          count(e.s.Users().List(e.ctx, host)),
		"Clients.List":        count(e.s.Clients().List(e.ctx, host)),
		"Consents.ListByUser": count(e.s.Consents().ListByUser(e.ctx, host, "u1")),
		"Grants.ListByUser":   count(e.s.Grants().ListByUser(e.ctx, host, "u1")),
		"Keys.List":           count(e.s.Keys().List(e.ctx, host, "sig")),
	} {
		if n != 1 {
			e.t.Errorf("%s@%s returned %d records, want 1 (-1: error)", what, host, n)
		}
	}
}

// checkEmpty checks that every read, write and list of host finds nothing (the other host's ids do not count).
func (e *env) checkEmpty(host string) {
	e.t.Helper()
	notFound := map[string]error{}
	_, notFound["Users.Get"] = e.s.Users().Get(e.ctx, host, "u1")
	_, notFound["Users.GetByUsername"] = e.s.Users().GetByUsername(e.ctx, host, "alice")
	notFound["Users.Update"] = e.s.Users().Update(e.ctx, newUser(host, "u1", "alice"), store.UserUpdate{RevokeGrants: true, EndSessions: true})
	notFound["Users.Delete"] = e.s.Users().Delete(e.ctx, host, "u1")
	_, notFound["Sessions.Get"] = e.s.Sessions().Get(e.ctx, host, "s1")
	notFound["Sessions.Delete"] = e.s.Sessions().Delete(e.ctx, host, "s1")
	_, notFound["Clients.Get"] = e.s.Clients().Get(e.ctx, host, "c1")
	notFound["Clients.Update"] = e.s.Clients().Update(e.ctx, newClient(host, "c1"))
	notFound["Clients.Delete"] = e.s.Clients().Delete(e.ctx, host, "c1")
	_, notFound["Consents.Get"] = e.s.Consents().Get(e.ctx, host, "u1", "c1")
	notFound["Consents.Delete"] = e.s.Consents().Delete(e.ctx, host, "u1", "c1")
	_, notFound["Grants.Get"] = e.s.Grants().Get(e.ctx, host, "g1")
	notFound["Grants.Revoke"] = e.s.Grants().Revoke(e.ctx, host, "g1")
	notFound["Tokens.Put"] = e.s.Tokens().Put(e.ctx, e.newToken(e.newGrant(host, "g1", "u1", "c1"), "at9", store.AccessToken))
	_, notFound["Tokens.Get"] = e.s.Tokens().Get(e.ctx, host, "g1-at")
	_, notFound["Tokens.Rotate"] = e.s.Tokens().Rotate(e.ctx, host, "g1-rt")
	notFound["Tokens.Revoke"] = e.s.Tokens().Revoke(e.ctx, host, "g1-at")
	_, notFound["Codes.Consume"] = e.s.Codes().Consume(e.ctx, host, "ac1")
	_, notFound["DeviceCodes.Get"] = e.s.DeviceCodes().Get(e.ctx, host, "dc1")
	_, notFound["DeviceCodes.GetByUserCode"] = e.s.DeviceCodes().GetByUserCode(e.ctx, host, "WDJBMJHT")
	notFound["DeviceCodes.Update"] = e.s.DeviceCodes().Update(e.ctx, e.newDeviceCode(host, "dc1", "WDJBMJHT"))
	_, notFound["DeviceCodes.Consume"] = e.s.DeviceCodes().Consume(e.ctx, host, "dc1")
	_, notFound["Keys.Get"] = e.s.Keys().Get(e.ctx, host, "k1")
	notFound["Keys.Delete"] = e.s.Keys().Delete(e.ctx, host, "k1")
	for what, err := range notFound {
		e.is(what+"@"+host, err, store.ErrNotFound)
	}

	zero := map[string]int{
		"Users.List":          count(e.s.Users().List(e.ctx, host)),
		"Clients.List":        count(e.s.Clients().List(e.ctx, host)),
		"Consents.ListByUser": count(e.s.Consents().ListByUser(e.ctx, host, "u1")),
		"Grants.ListByUser":   count(e.s.Grants().ListByUser(e.ctx, host, "u1")),
		"Keys.List":           count(e.s.Keys().List(e.ctx, host, "sig")),
	}
	n, err := e.s.Sessions().DeleteByUser(e.ctx, host, "u1")
	e.must(err)
	zero["Sessions.DeleteByUser"] = n
	n, err = e.s.Grants().RevokeByUser(e.ctx, host, "u1")
	e.must(err)
	zero["Grants.RevokeByUser"] = n
	for what, n := range zero {
		if n != 0 {
			e.t.Errorf("%s@%s = %d, want 0", what, host, n)
		}
	}
}

// count is the length of a list result, or -1 when listing failed.
func count[T any](list []T, err error) int {
	if err != nil {
		return -1
	}
	return len(list)
}
