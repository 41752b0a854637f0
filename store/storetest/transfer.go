package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// hostC is the host id an import renames hostA's records to; hostD one it refuses them under.
const (
	hostC = "host-c"
	hostD = "host-d"
)

// testTransfer moves a host between two stores of the backend under test (Transfer).
func testTransfer(t *testing.T, open Opener) { Transfer(t, open, open) }

// Transfer is the conformance case of store.HostExporter, from a store opened by from to one opened by to (the
// same backend, or two: a backend's tests call it with another backend's Opener). It fills hostA of the source
// through the normal interfaces with a record of every kind in every state the contract has (a tombstone, a
// disabled user, a rotated refresh token, a revoked grant, a revoked access token, a used and an unused code, a
// polled and an approved device code, a retired key, a used interaction, a ban, sessions, consents) and hostB
// beside it; exports hostA through an export file, lets the clock pass so that some records expire in between,
// and imports the file into a fresh store. Every read of the normal interfaces then answers the same on both
// stores (and as the contract says it must), the indexes the importing backend rebuilt work (usernames, user
// codes, a user's sessions and grants, a client's grants), the records stay usable (a refresh token rotates, a
// code is redeemed), expired records were skipped, hostB was neither exported nor touched (in the source) nor
// touched (in the target, by the import or by Replace), a second import is refused, Replace starts the host over,
// and an import under another host id holds the same records.
// A backend that does not implement store.HostExporter skips it, saying so.
func Transfer(t *testing.T, from, to Opener) {
	src := newEnv(t, from)
	x, ok := src.s.(store.HostExporter)
	if !ok {
		t.Skipf("%T does not implement store.HostExporter: no export or import of a host", src.s)
	}
	src.fillForTransfer()
	src.populate(hostB)

	var file bytes.Buffer
	w, err := store.NewExportWriter(&file, store.ExportHeader{Host: hostA, Assentry: "storetest", ExportedAt: src.now(), Source: fmt.Sprintf("%T", src.s)})
	src.must(err)
	src.must(x.ExportHost(src.ctx, hostA, w.Write))
	src.must(w.Close())
	exported := w.Counts()
	if got := exported[store.KindSession]; got != 1 {
		t.Errorf("exported %d sessions, want 1 (s-short expired before the export)", got)
	}
	for _, k := range store.Kinds() {
		if exported[k] == 0 {
			t.Errorf("the export holds no record of kind %s", k)
		}
	}
	src.clock.Advance(40 * time.Second) // ac-old and its grant expire between the export and the import

	dst := src.sibling(to)
	y, ok := dst.s.(store.HostExporter)
	if !ok {
		t.Skipf("%T does not implement store.HostExporter: no import of a host", dst.s)
	}
	dst.populate(hostB) // a host of the target store, which the import (and Replace) must leave alone
	res, err := y.ImportHost(dst.ctx, hostA, readExport(t, file.Bytes()), store.ImportOptions{Batch: 7})
	dst.must(err)
	if res.Expired != 2 {
		t.Errorf("import skipped %d expired records, want 2 (code ac-old and its grant)", res.Expired)
	}
	for _, k := range store.Kinds() {
		want := exported[k]
		if k == store.KindCode || k == store.KindGrant {
			want--
		}
		if res.Imported[k] != want {
			t.Errorf("imported %d records of kind %s, want %d", res.Imported[k], k, want)
		}
	}
	if total := res.Total(); res.Batches != (total+6)/7 {
		t.Errorf("%d records imported in %d batches of at most 7", total, res.Batches)
	}

	checkTransfer(t, src, dst, hostA)
	src.checkWorld(hostB)
	dst.checkWorld(hostB)
	// The grants' last use (Grant.UsedAt, the account page's "last used") comes along: checkTransfer compares the
	// grants whole, and this makes sure there was a use to compare.
	if g, err := dst.s.Grants().Get(dst.ctx, hostA, "g2"); err != nil {
		t.Errorf("imported grant g2: %v", err)
	} else if g.UsedAt.IsZero() {
		t.Errorf("imported grant g2 has no UsedAt; want the last use of its rotation")
	}
	dst.checkUsable(hostA)

	// Import never merges: neither into the store it was imported into, nor into the one it came from.
	for _, e := range []*env{dst, src} {
		_, err := e.s.(store.HostExporter).ImportHost(e.ctx, hostA, readExport(t, file.Bytes()), store.ImportOptions{})
		var ne *store.HostNotEmptyError
		if !errors.As(err, &ne) || !errors.Is(err, store.ErrConflict) {
			t.Errorf("a second import into %T: %v, want a HostNotEmptyError (ErrConflict)", e.s, err)
		}
	}
	_, err = y.ImportHost(dst.ctx, hostD, readExport(t, file.Bytes()), store.ImportOptions{})
	if err == nil || errors.Is(err, store.ErrConflict) {
		t.Errorf("importing hostA's records as %s: %v; a record of another host must fail the import", hostD, err)
	}

	// Replace deletes what the host holds now (checkUsable changed it) and starts over from the file.
	res, err = y.ImportHost(dst.ctx, hostA, readExport(t, file.Bytes()), store.ImportOptions{Replace: true})
	dst.must(err)
	if res.Replaced == 0 {
		t.Errorf("Replace deleted no record")
	}
	checkTransfer(t, src, dst, hostA)
	dst.checkWorld(hostB)

	// Under another host id (what `assentry import --as` does): the same records, and hostA's unchanged.
	renamed := func(yield func(store.Record, error) bool) {
		for r, err := range readExport(t, file.Bytes()) {
			if !yield(r.WithHost(hostC), err) {
				return
			}
		}
	}
	_, err = y.ImportHost(dst.ctx, hostC, renamed, store.ImportOptions{})
	dst.must(err)
	for _, p := range transferProbes(hostC) {
		if _, err := p.read(dst.s); !sameErr(err, p.want) {
			t.Errorf("%s on the host imported as %s: %v, want %v", p.name, hostC, err, p.want)
		}
	}
	checkTransfer(t, src, dst, hostA)
}

// sibling opens a second, fresh store for the same test, on the same clock.
func (e *env) sibling(open Opener) *env {
	s := &env{t: e.t, ctx: e.ctx, open: open, dir: e.t.TempDir(), clock: e.clock}
	s.s = open(e.t, s.dir, e.clock.Now)
	e.t.Cleanup(func() { _ = s.s.Close() })
	return s
}

// readExport reads an export file of hostA, failing the test on a bad header.
func readExport(t *testing.T, b []byte) func(func(store.Record, error) bool) {
	t.Helper()
	r, err := store.NewExportReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("NewExportReader: %v", err)
	}
	if h := r.Header(); h.Host != hostA || h.Version != store.ExportVersion {
		t.Fatalf("export header %+v", h)
	}
	return r.Records()
}

// fillForTransfer writes, under hostA, a record of every kind in every state the contract has.
func (e *env) fillForTransfer() {
	e.t.Helper()
	ctx, s := e.ctx, e.s
	e.must(s.Users().Create(ctx, newUser(hostA, "u1", "alice")))
	e.must(s.Users().Create(ctx, newUser(hostA, "u2", "bob")))
	e.must(s.Users().Delete(ctx, hostA, "u2")) // a tombstone: u2 is never reused
	carol := newUser(hostA, "u3", "carol")
	carol.Disabled, carol.Groups = true, []string{"staff"}
	e.must(s.Users().Create(ctx, carol))

	e.must(s.Clients().Create(ctx, newClient(hostA, "c1")))
	e.must(s.Clients().Create(ctx, newClient(hostA, "c2")))
	e.must(s.Consents().Put(ctx, e.newConsent(hostA, "u1", "c1", 0)))
	e.must(s.Consents().Put(ctx, e.newConsent(hostA, "u1", "c2", 30*24*time.Hour)))
	e.must(s.Sessions().Put(ctx, e.newSession(hostA, "s-short", "u1", 30*time.Second)))

	// Keys: a signing key, a retired one (private half erased, expiring), an internal secret.
	e.must(s.Keys().Create(ctx, newKey(hostA, "k1", "sig", t0)))
	k2 := newKey(hostA, "k2", "sig", t0.Add(-72*time.Hour))
	k2.Private, k2.RetireAt, k2.ExpiresAt = nil, t0, t0.Add(24*time.Hour)
	e.must(s.Keys().Create(ctx, k2))
	e.must(s.Keys().Create(ctx, newKey(hostA, "k3", "enc", t0)))

	// A code that expires between the export and the import, with its grant.
	e.must(s.Codes().Put(ctx, e.newCode(hostA, "ac-old", "g-old"), e.newGrant(hostA, "g-old", "u1", "c1")))
	e.clock.Advance(31 * time.Second) // s-short expires before the export

	e.must(s.Sessions().Put(ctx, e.newSession(hostA, "s1", "u1", sessionTTL)))
	e.newChain(hostA, "g1", "u1", "c1")
	g2 := e.newChain(hostA, "g2", "u1", "c1")
	next := e.newToken(g2.grant, "g2-rt2", store.RefreshToken)
	_, err := s.Tokens().Rotate(ctx, hostA, "g2-rt", next, e.newToken(g2.grant, "g2-at2", store.AccessToken))
	e.must(err)
	e.newChain(hostA, "g3", "u1", "c2")
	e.must(s.Grants().Revoke(ctx, hostA, "g3"))
	e.newChain(hostA, "g4", "u3", "c1")
	e.must(s.Tokens().Revoke(ctx, hostA, "g4-at"))
	cc := &store.Grant{ID: "g5", Host: hostA, ClientID: "c2", Scopes: []string{"api"}, CreatedAt: e.now(), ExpiresAt: e.now().Add(accessTTL)}
	e.must(s.Grants().Create(ctx, cc, &store.Token{ID: "g5-at", Host: hostA, Kind: store.AccessToken, GrantID: "g5",
		ClientID: "c2", Scopes: cc.Scopes, IssuedAt: e.now(), ExpiresAt: e.now().Add(accessTTL)}))

	e.must(s.Codes().Put(ctx, e.newCode(hostA, "ac1", "g6"), e.newGrant(hostA, "g6", "u1", "c1")))
	e.must(s.Codes().Put(ctx, e.newCode(hostA, "ac2", "g7"), e.newGrant(hostA, "g7", "u1", "c1")))
	_, err = s.Codes().Consume(ctx, hostA, "ac2", e.newToken(e.newGrant(hostA, "g7", "u1", "c1"), "g7-at", store.AccessToken))
	e.must(err)

	e.must(s.DeviceCodes().Put(ctx, e.newDeviceCode(hostA, "dc1", "WDJBMJHT")))
	_, _, err = s.DeviceCodes().Poll(ctx, hostA, "dc1", e.now(), 0, 5)
	e.must(err)
	d2 := e.newDeviceCode(hostA, "dc2", "BCDFGHJK")
	e.must(s.DeviceCodes().Put(ctx, d2))
	d2.Status, d2.UserID, d2.GrantID, d2.AuthTime = "approved", "u1", "g8", e.now()
	e.must(s.DeviceCodes().Update(ctx, d2))
	e.must(s.Grants().Create(ctx, e.newGrant(hostA, "g8", "u1", "c1")))

	e.must(s.Interactions().Put(ctx, e.newInteraction(hostA, "i1")))
	e.must(s.Interactions().Put(ctx, e.newInteraction(hostA, "i2")))
	_, err = s.Interactions().Consume(ctx, hostA, "i2")
	e.must(err)

	// A ban of a registered client, which revokes its grant g9.
	e.newChain(hostA, "g9", "u1", registeredID(0))
	_, _, err = s.RevokedClients().Add(ctx, e.newRevoked(hostA, "d1"), registeredID(0))
	e.must(err)
}

// probe is one read of the normal interfaces and the error the contract gives it after fillForTransfer (and the
// clock's advance past the export).
type probe struct {
	name string
	read func(store.Store) (any, error)
	want error
}

// transferProbes lists the reads that check a transferred host.
func transferProbes(host string) []probe {
	var ps []probe
	add := func(name string, want error, read func(store.Store) (any, error)) {
		ps = append(ps, probe{name, read, want})
	}
	for id, want := range map[string]error{"u1": nil, "u2": store.ErrNotFound, "u3": nil} {
		add("Users.Get "+id, want, func(s store.Store) (any, error) { return s.Users().Get(bg, host, id) })
	}
	for name, want := range map[string]error{"alice": nil, "bob": store.ErrNotFound, "carol": nil} {
		add("Users.GetByUsername "+name, want, func(s store.Store) (any, error) { return s.Users().GetByUsername(bg, host, name) })
	}
	add("Users.List", nil, func(s store.Store) (any, error) { return s.Users().List(bg, host) })
	for id, want := range map[string]error{"s1": nil, "s-short": store.ErrNotFound} {
		add("Sessions.Get "+id, want, func(s store.Store) (any, error) { return s.Sessions().Get(bg, host, id) })
	}
	add("Sessions.ListByUser", nil, func(s store.Store) (any, error) { return s.Sessions().ListByUser(bg, host, "u1") })
	add("Clients.List", nil, func(s store.Store) (any, error) { return s.Clients().List(bg, host) })
	for _, c := range []string{"c1", "c2"} {
		add("Clients.Get "+c, nil, func(s store.Store) (any, error) { return s.Clients().Get(bg, host, c) })
		add("Consents.Get u1 "+c, nil, func(s store.Store) (any, error) { return s.Consents().Get(bg, host, "u1", c) })
	}
	add("Consents.ListByUser", nil, func(s store.Store) (any, error) { return s.Consents().ListByUser(bg, host, "u1") })
	for id, want := range map[string]error{"g1": nil, "g2": nil, "g3": nil, "g5": nil, "g6": nil, "g8": nil, "g9": nil,
		"g-old": store.ErrNotFound} {
		add("Grants.Get "+id, want, func(s store.Store) (any, error) { return s.Grants().Get(bg, host, id) })
	}
	add("Grants.ListByUser", nil, func(s store.Store) (any, error) { return s.Grants().ListByUser(bg, host, "u1") })
	for id, want := range map[string]error{
		"g1-at": nil, "g1-rt": nil, "g2-rt": store.ErrAlreadyUsed, "g2-rt2": nil, "g2-at2": nil, "g2-at": nil,
		"g3-at": store.ErrRevoked, "g3-rt": store.ErrRevoked, "g4-at": store.ErrRevoked, "g4-rt": nil, "g5-at": nil,
		"g7-at": nil, "g9-rt": store.ErrRevoked,
	} {
		add("Tokens.Get "+id, want, func(s store.Store) (any, error) { return s.Tokens().Get(bg, host, id) })
	}
	for id, want := range map[string]error{"ac1": nil, "ac2": store.ErrAlreadyUsed, "ac-old": store.ErrNotFound} {
		add("Codes.Get "+id, want, func(s store.Store) (any, error) { return s.Codes().Get(bg, host, id) })
	}
	for id, uc := range map[string]string{"dc1": "WDJBMJHT", "dc2": "BCDFGHJK"} {
		add("DeviceCodes.Get "+id, nil, func(s store.Store) (any, error) { return s.DeviceCodes().Get(bg, host, id) })
		add("DeviceCodes.GetByUserCode "+uc, nil, func(s store.Store) (any, error) { return s.DeviceCodes().GetByUserCode(bg, host, uc) })
	}
	for _, id := range []string{"k1", "k2", "k3"} {
		add("Keys.Get "+id, nil, func(s store.Store) (any, error) { return s.Keys().Get(bg, host, id) })
	}
	for _, use := range []string{"sig", "enc"} {
		add("Keys.List "+use, nil, func(s store.Store) (any, error) { return s.Keys().List(bg, host, use) })
	}
	for id, want := range map[string]error{"i1": nil, "i2": store.ErrAlreadyUsed} {
		add("Interactions.Get "+id, want, func(s store.Store) (any, error) { return s.Interactions().Get(bg, host, id) })
	}
	add("RevokedClients.Get", nil, func(s store.Store) (any, error) { return s.RevokedClients().Get(bg, host, "d1") })
	add("RevokedClients.List", nil, func(s store.Store) (any, error) { return s.RevokedClients().List(bg, host) })
	return ps
}

// checkTransfer runs every probe on both stores: each answers as the contract says, and the same record on both.
func checkTransfer(t *testing.T, src, dst *env, host string) {
	t.Helper()
	for _, p := range transferProbes(host) {
		a, aerr := p.read(src.s)
		b, berr := p.read(dst.s)
		if !sameErr(aerr, p.want) {
			t.Errorf("%s on the source: %v, want %v", p.name, aerr, p.want)
		}
		if !sameErr(berr, p.want) {
			t.Errorf("%s on the imported store: %v, want %v", p.name, berr, p.want)
		}
		if ja, jb := asJSON(t, a), asJSON(t, b); ja != jb {
			t.Errorf("%s:\n source   %s\n imported %s", p.name, ja, jb)
		}
	}
}

// checkUsable checks that the imported host works through the normal interfaces, indexes included: its refresh
// token rotates, its unused code is redeemed, its tombstone, usernames and user codes still block, and a user's
// sessions and grants are found by user.
func (e *env) checkUsable(host string) {
	e.t.Helper()
	ctx, s := e.ctx, e.s
	g1 := e.newGrant(host, "g1", "u1", "c1")
	_, err := s.Tokens().Rotate(ctx, host, "g1-rt", e.newToken(g1, "g1-rt2", store.RefreshToken))
	e.is("Tokens.Rotate g1-rt", err, nil)
	_, err = s.Tokens().Rotate(ctx, host, "g2-rt", e.newToken(g1, "g2-rt3", store.RefreshToken))
	e.is("Tokens.Rotate g2-rt (rotated before the export)", err, store.ErrAlreadyUsed)
	_, err = s.Codes().Consume(ctx, host, "ac1", e.newToken(e.newGrant(host, "g6", "u1", "c1"), "g6-at", store.AccessToken))
	e.is("Codes.Consume ac1", err, nil)
	_, err = s.Codes().Consume(ctx, host, "ac2")
	e.is("Codes.Consume ac2", err, store.ErrAlreadyUsed)
	_, err = s.DeviceCodes().Consume(ctx, host, "dc2")
	e.is("DeviceCodes.Consume dc2 (approved)", err, nil)
	_, err = s.Interactions().Consume(ctx, host, "i2")
	e.is("Interactions.Consume i2", err, store.ErrAlreadyUsed)

	e.is("Users.Create u2 (a tombstone)", s.Users().Create(ctx, newUser(host, "u2", "bobby")), store.ErrConflict)
	e.is("Users.Create alice again", s.Users().Create(ctx, newUser(host, "u9", "alice")), store.ErrConflict)
	e.is("Users.Create bob (freed by the deletion)", s.Users().Create(ctx, newUser(host, "u8", "bob")), nil)
	e.is("DeviceCodes.Put with dc1's user code", s.DeviceCodes().Put(ctx, e.newDeviceCode(host, "dc9", "WDJBMJHT")), store.ErrConflict)
	e.is("Clients.Create c1 again", s.Clients().Create(ctx, newClient(host, "c1")), store.ErrConflict)
	e.is("Keys.Create k1 again", s.Keys().Create(ctx, newKey(host, "k1", "sig", t0)), store.ErrConflict)

	n, err := s.Sessions().DeleteByUser(ctx, host, "u1")
	if e.is("Sessions.DeleteByUser", err, nil); n != 1 {
		e.t.Errorf("Sessions.DeleteByUser ended %d sessions, want 1", n)
	}
	// u1's live, unrevoked grants: g1, g2, g6, g7 and g8 (g3 and g9 are revoked, g-old never came).
	n, err = s.Grants().RevokeByUser(ctx, host, "u1")
	if e.is("Grants.RevokeByUser", err, nil); n != 5 {
		e.t.Errorf("Grants.RevokeByUser revoked %d grants, want 5", n)
	}
	e.must(s.Clients().Delete(ctx, host, "c1")) // revokes g4, u3's grant of c1, through the client → grant index
	e.is("Tokens.Get g4-rt after deleting its client", e.tokenErr(host, "g4-rt"), store.ErrRevoked)
	e.must(s.Users().Delete(ctx, host, "u3"))
}

// bg is the context of the probes: a read of a store the test keeps open.
var bg = context.Background()

// sameErr reports whether err is want (nil: no error).
func sameErr(err, want error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}

// asJSON is v as JSON with every time in UTC (a backend may return local times) and empty slices as null, to
// compare a record read from two stores.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(canonical(tree))
	return string(b)
}

// canonical rewrites a decoded JSON tree: RFC 3339 strings as UTC instants, empty arrays as null.
func canonical(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = canonical(e)
		}
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i, e := range x {
			x[i] = canonical(e)
		}
	case string:
		if ts, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return ts.UTC().Format(time.RFC3339Nano)
		}
	}
	return v
}
