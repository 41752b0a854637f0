package admin

import (
	"context"
	"sync"
	"testing"

	"github.com/assentry/assentry/core/events"
)

// recorder is a Sink that keeps what it is sent.
type recorder struct {
	mu  sync.Mutex
	got []events.Event
}

func (r *recorder) Emit(_ context.Context, e *events.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, *e)
}

// Every request is an admin.action with its actor, refused ones included; ending a user's chains or deleting a
// client says so too.
func TestDoEmitsEvents(t *testing.T) {
	s := newServices(t)
	rec := &recorder{}
	s.Hosts["h1"].Events = &events.Emitter{Sink: rec, Host: "h1"}
	ctx := events.WithActor(context.Background(), "uid:0")
	for _, r := range []Request{
		req(t, OpUserAdd, UserArgs{Username: "alice", Password: "correct horse battery"}),
		req(t, OpUserDisable, UserArgs{Username: "alice"}),
		req(t, OpUserDel, UserArgs{Username: "alice"}),
		req(t, OpClientAdd, ClientArgs{ID: "app", Name: ptr("App"), RedirectURIs: &[]string{"https://app.example/cb"}}),
		req(t, OpClientDel, ClientArgs{ID: "app"}),
		{Op: OpUserList, Host: "nope"},
	} {
		s.Do(ctx, r)
	}
	type line struct{ kind, op, host, outcome, reason, actor, client string }
	want := []line{
		{kind: "admin.action", op: "user.add", host: "h1", outcome: "ok", actor: "uid:0"},
		{kind: "token.revoked", host: "h1", reason: "user_disabled", actor: "uid:0"},
		{kind: "admin.action", op: "user.disable", host: "h1", outcome: "ok", actor: "uid:0"},
		{kind: "token.revoked", host: "h1", reason: "user_deleted", actor: "uid:0"},
		{kind: "admin.action", op: "user.del", host: "h1", outcome: "ok", actor: "uid:0"},
		{kind: "admin.action", op: "client.add", host: "h1", outcome: "ok", actor: "uid:0"},
		{kind: "client.revoked", host: "h1", reason: "deleted", actor: "uid:0", client: "app"},
		{kind: "admin.action", op: "client.del", host: "h1", outcome: "ok", actor: "uid:0"},
		{kind: "admin.action", op: "user.list", host: "nope", outcome: "failed", reason: "not_found", actor: "uid:0"},
	}
	if len(rec.got) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(rec.got), len(want), rec.got)
	}
	var userID string
	for i, e := range rec.got {
		got := line{string(e.Kind), e.Op, e.Host, e.Outcome, e.Reason, e.Actor, e.ClientID}
		if got != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got, want[i])
		}
		if e.Kind == events.TokenRevoked {
			if e.UserID == "" || e.Username != "alice" || (userID != "" && e.UserID != userID) {
				t.Errorf("token.revoked names %q %q", e.UserID, e.Username)
			}
			userID = e.UserID
		}
	}
}
