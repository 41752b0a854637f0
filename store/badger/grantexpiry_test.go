package badger

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// TestGrantExtendedOncePerDay: tokens that outlive their grant extend it to a whole day, so the tokens of later
// refreshes that day are written alone (one entry, not the grant and its two index entries too); the grant always
// covers its tokens, and its index entries live as long as it does, so the listings that go through them keep
// finding it.
func TestGrantExtendedOncePerDay(t *testing.T) {
	s := openInternal(t, false)
	ctx := t.Context()
	now := time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)
	s.clock = func() time.Time { return now }
	g := &store.Grant{ID: "g1", Host: "h", UserID: "u1", ClientID: "c1", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := s.Grants().Create(ctx, g); err != nil {
		t.Fatal(err)
	}
	tok := func(id string, exp time.Time) *store.Token {
		return &store.Token{ID: id, Host: "h", Kind: store.RefreshToken, GrantID: "g1", ClientID: "c1", UserID: "u1",
			IssuedAt: now, ExpiresAt: exp}
	}
	for _, tc := range []struct {
		name   string
		exp    time.Time
		writes int
	}{
		{"first token: past the code's day", now.Add(48 * time.Hour), 4},
		{"same day, later", now.Add(48*time.Hour + time.Hour), 1},
		{"same day, later again", now.Add(48*time.Hour + 2*time.Hour), 1},
		{"next day", now.Add(72 * time.Hour), 4},
		{"earlier than the grant: nothing to extend", now.Add(time.Hour), 1},
	} {
		var writes int
		err := s.update(ctx, func(x *txn) error {
			gr, err := grantTable.get(x, "h", "g1")
			if err != nil {
				return err
			}
			if err := putTokens(x, gr, []*store.Token{tok("rt-"+tc.name, tc.exp)}); err != nil {
				return err
			}
			writes = x.writes
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if writes != tc.writes {
			t.Errorf("%s: %d entries written, want %d", tc.name, writes, tc.writes)
		}
		got, err := s.Grants().Get(ctx, "h", "g1")
		if err != nil {
			t.Fatal(err)
		}
		if got.ExpiresAt.Before(tc.exp) {
			t.Errorf("%s: grant expires at %v, before its token (%v)", tc.name, got.ExpiresAt, tc.exp)
		}
		err = s.view(ctx, func(x *txn) error {
			for _, k := range [][]byte{key("h", kindUserGrant, "u1", "g1"), key("h", kindClientGrant, "c1", "g1")} {
				item, err := x.tx.Get(k)
				if err != nil {
					return err
				}
				// Badger's TTL runs on the wall clock, the records' expiry on the store's clock.
				left, need := time.Until(time.Unix(int64(item.ExpiresAt()), 0)), got.ExpiresAt.Sub(now)
				if left < need {
					t.Errorf("%s: index %s expires in %v, before its grant (in %v)", tc.name, k, left, need)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.Grants().ListByUser(ctx, "h", "u1")
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: ListByUser = %d grants, %v; want the grant", tc.name, len(list), err)
		}
	}
}
