package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/assentry/assentry/core/events"
)

type recorder struct{ got []events.Event }

func (r *recorder) Emit(_ context.Context, e *events.Event) { r.got = append(r.got, *e) }

func TestEmitterStampsFromContext(t *testing.T) {
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	r1, r2 := &recorder{}, &recorder{}
	em := &events.Emitter{Sink: events.Multi{r1, r2}, Now: func() time.Time { return at }}
	ctx := events.WithActor(events.WithRequestID(context.Background(), "req-1"), "uid:0")
	em.Emit(ctx, events.Event{Kind: events.LoginFailed, Host: "h", Reason: "bad_password"})
	em.Emit(ctx, events.Event{Kind: events.AdminAction, Actor: "token:ops", RequestID: "req-2"})
	for _, r := range []*recorder{r1, r2} {
		if len(r.got) != 2 {
			t.Fatalf("got %d events, want 2", len(r.got))
		}
		if e := r.got[0]; e.Time != at || e.RequestID != "req-1" || e.Actor != "uid:0" || e.Reason != "bad_password" {
			t.Errorf("first event = %+v", e)
		}
		if e := r.got[1]; e.Actor != "token:ops" || e.RequestID != "req-2" {
			t.Errorf("fields set by the caller were replaced: %+v", e)
		}
	}
}

func TestNilEmitterDrops(t *testing.T) {
	var em *events.Emitter
	em.Emit(context.Background(), events.Event{Kind: events.TokenIssued}) // must not panic
	(&events.Emitter{}).Emit(context.Background(), events.Event{Kind: events.TokenIssued})
}
