package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

// testSessions covers SessionStore: put/replace/get/delete, expiry at exactly ExpiresAt, DeleteByUser counting
// live sessions only, and a session that changed hands not being ended with its previous owner.
func testSessions(t *testing.T, open Opener) {
	t.Run("PutGetDelete", func(t *testing.T) {
		e := newEnv(t, open)
		s := e.newSession(hostA, "s1", "u1", sessionTTL)
		e.must(e.s.Sessions().Put(e.ctx, s))
		got, err := e.s.Sessions().Get(e.ctx, hostA, "s1")
		e.must(err)
		same(t, "Get", got, s)

		s.AMR = []string{"pwd", "otp"}
		e.must(e.s.Sessions().Put(e.ctx, s))
		got, err = e.s.Sessions().Get(e.ctx, hostA, "s1")
		e.must(err)
		same(t, "Get after replace", got, s)

		e.must(e.s.Sessions().Delete(e.ctx, hostA, "s1"))
		_, err = e.s.Sessions().Get(e.ctx, hostA, "s1")
		e.is("Get after Delete", err, store.ErrNotFound)
		e.is("Delete again", e.s.Sessions().Delete(e.ctx, hostA, "s1"), store.ErrNotFound)
		_, err = e.s.Sessions().Get(e.ctx, hostA, "nope")
		e.is("Get unknown", err, store.ErrNotFound)
	})

	t.Run("Expiry", func(t *testing.T) {
		tests := []struct {
			name    string
			advance time.Duration
			want    error
		}{
			{"before", sessionTTL - time.Second, nil},
			{"at ExpiresAt", sessionTTL, store.ErrNotFound},
			{"after", sessionTTL + time.Hour, store.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t, open)
				e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s1", "u1", sessionTTL)))
				e.clock.Advance(tt.advance)
				_, err := e.s.Sessions().Get(e.ctx, hostA, "s1")
				e.is("Get", err, tt.want)
				e.is("Delete", e.s.Sessions().Delete(e.ctx, hostA, "s1"), tt.want)
			})
		}
	})

	t.Run("DeleteByUser", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s1", "u1", sessionTTL)))
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s2", "u1", sessionTTL)))
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s3", "u1", time.Minute))) // expires first
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s4", "u2", sessionTTL)))
		e.clock.Advance(time.Hour)

		n, err := e.s.Sessions().DeleteByUser(e.ctx, hostA, "u1")
		e.must(err)
		if n != 2 {
			t.Errorf("DeleteByUser = %d, want 2 (live sessions only)", n)
		}
		for _, id := range []string{"s1", "s2", "s3"} {
			_, err := e.s.Sessions().Get(e.ctx, hostA, id)
			e.is("Get "+id, err, store.ErrNotFound)
		}
		_, err = e.s.Sessions().Get(e.ctx, hostA, "s4")
		e.is("other user's session", err, nil)
		n, err = e.s.Sessions().DeleteByUser(e.ctx, hostA, "u1")
		e.must(err)
		if n != 0 {
			t.Errorf("DeleteByUser again = %d, want 0", n)
		}
	})

	t.Run("ListByUser", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s2", "u1", sessionTTL)))
		e.clock.Advance(time.Second)
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s1", "u1", sessionTTL)))
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s3", "u1", time.Minute))) // expires first
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s4", "u2", sessionTTL)))
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostB, "s5", "u1", sessionTTL)))
		e.clock.Advance(time.Hour)
		got, err := e.s.Sessions().ListByUser(e.ctx, hostA, "u1")
		e.must(err)
		if ids := sessionIDs(got); !slices.Equal(ids, []string{"s2", "s1"}) {
			t.Errorf("ListByUser = %v, want [s2 s1] (live sessions of the user on the host, oldest first)", ids)
		}
		got, err = e.s.Sessions().ListByUser(e.ctx, hostA, "nobody")
		e.must(err)
		if len(got) != 0 {
			t.Errorf("ListByUser(unknown user) = %v", sessionIDs(got))
		}
	})

	t.Run("DeleteByUserExcept", func(t *testing.T) {
		e := newEnv(t, open)
		for _, id := range []string{"s1", "s2", "s3"} {
			e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, id, "u1", sessionTTL)))
		}
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s4", "u2", sessionTTL)))
		n, err := e.s.Sessions().DeleteByUserExcept(e.ctx, hostA, "u1", "s2")
		e.must(err)
		if n != 2 {
			t.Errorf("DeleteByUserExcept = %d, want 2", n)
		}
		for _, tt := range []struct {
			id   string
			want error
		}{{"s1", store.ErrNotFound}, {"s2", nil}, {"s3", store.ErrNotFound}, {"s4", nil}} {
			_, err := e.s.Sessions().Get(e.ctx, hostA, tt.id)
			e.is("Get "+tt.id, err, tt.want)
		}
		got, err := e.s.Sessions().ListByUser(e.ctx, hostA, "u1")
		e.must(err)
		if ids := sessionIDs(got); !slices.Equal(ids, []string{"s2"}) {
			t.Errorf("ListByUser after DeleteByUserExcept = %v, want [s2]", ids)
		}
		// Keeping another user's session id (or none) still ends every session of this one.
		n, err = e.s.Sessions().DeleteByUserExcept(e.ctx, hostA, "u1", "s4")
		e.must(err)
		if n != 1 {
			t.Errorf("DeleteByUserExcept(keep of another user) = %d, want 1", n)
		}
		_, err = e.s.Sessions().Get(e.ctx, hostA, "s4")
		e.is("other user's session", err, nil)
	})

	t.Run("PutMovesUser", func(t *testing.T) {
		e := newEnv(t, open)
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s1", "u1", sessionTTL)))
		e.must(e.s.Sessions().Put(e.ctx, e.newSession(hostA, "s1", "u2", sessionTTL)))
		n, err := e.s.Sessions().DeleteByUser(e.ctx, hostA, "u1")
		e.must(err)
		if n != 0 {
			t.Errorf("DeleteByUser(previous owner) = %d, want 0", n)
		}
		n, err = e.s.Sessions().DeleteByUser(e.ctx, hostA, "u2")
		e.must(err)
		if n != 1 {
			t.Errorf("DeleteByUser(owner) = %d, want 1", n)
		}
	})
}

// sessionIDs returns the ids of sessions, in order.
func sessionIDs(ss []*store.Session) []string {
	ids := make([]string, 0, len(ss))
	for _, s := range ss {
		ids = append(ids, s.ID)
	}
	return ids
}
