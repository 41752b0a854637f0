package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testConsents covers ConsentStore: put/replace/get/delete, ListByUser (only that user's, by client id, ids
// containing separators kept apart), expiry, and consents without ExpiresAt lasting forever.
func testConsents(t *testing.T, open Opener) {
	t.Run("PutGetDelete", func(t *testing.T) {
		e := newEnv(t, open)
		c := e.newConsent(hostA, "u1", "c1", 0)
		e.must(e.s.Consents().Put(e.ctx, c))
		got, err := e.s.Consents().Get(e.ctx, hostA, "u1", "c1")
		e.must(err)
		same(t, "Get", got, c)

		c.Scopes = append(c.Scopes, "email")
		e.must(e.s.Consents().Put(e.ctx, c))
		got, err = e.s.Consents().Get(e.ctx, hostA, "u1", "c1")
		e.must(err)
		same(t, "Get after replace", got, c)

		_, err = e.s.Consents().Get(e.ctx, hostA, "u1", "c2")
		e.is("Get other client", err, store.ErrNotFound)
		_, err = e.s.Consents().Get(e.ctx, hostA, "u2", "c1")
		e.is("Get other user", err, store.ErrNotFound)
		e.must(e.s.Consents().Delete(e.ctx, hostA, "u1", "c1"))
		_, err = e.s.Consents().Get(e.ctx, hostA, "u1", "c1")
		e.is("Get after Delete", err, store.ErrNotFound)
		e.is("Delete again", e.s.Consents().Delete(e.ctx, hostA, "u1", "c1"), store.ErrNotFound)
	})

	t.Run("ListByUser", func(t *testing.T) {
		e := newEnv(t, open)
		for _, c := range []*store.Consent{
			e.newConsent(hostA, "u1", "c2", 0), e.newConsent(hostA, "u1", "c1", 0), e.newConsent(hostA, "u10", "c3", 0),
			e.newConsent(hostA, "u2", "c1", 0), e.newConsent(hostB, "u1", "c4", 0),
			e.newConsent(hostA, "u1/c5", "c6", 0), // ids are opaque: a separator inside one must not leak
		} {
			e.must(e.s.Consents().Put(e.ctx, c))
		}
		tests := []struct {
			name, host, user string
			want             []string
		}{
			{"u1", hostA, "u1", []string{"c1", "c2"}},
			{"u1 is not a prefix of u10", hostA, "u10", []string{"c3"}},
			{"id with a slash", hostA, "u1/c5", []string{"c6"}},
			{"u2", hostA, "u2", []string{"c1"}},
			{"nobody", hostA, "u3", nil},
			{"other host", hostB, "u1", []string{"c4"}},
		}
		for _, tt := range tests {
			got, err := e.s.Consents().ListByUser(e.ctx, tt.host, tt.user)
			e.must(err)
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ClientID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("%s: ListByUser = %v, want %v", tt.name, ids, tt.want)
			}
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Consents().Put(e.ctx, e.newConsent(hostA, "u1", "c1", time.Hour)))
		e.must(e.s.Consents().Put(e.ctx, e.newConsent(hostA, "u1", "c2", 0)))
		e.clock.Advance(time.Hour)
		_, err := e.s.Consents().Get(e.ctx, hostA, "u1", "c1")
		e.is("Get expired", err, store.ErrNotFound)
		e.clock.Advance(10 * 365 * 24 * time.Hour)
		_, err = e.s.Consents().Get(e.ctx, hostA, "u1", "c2")
		e.is("Get without expiry, ten years on", err, nil)
		got, err := e.s.Consents().ListByUser(e.ctx, hostA, "u1")
		e.must(err)
		if len(got) != 1 || got[0].ClientID != "c2" {
			t.Errorf("ListByUser returned %d consents, want only c2", len(got))
		}
	})
}
