package events

import (
	"context"
	"time"
)

// Sink receives events. Emit must be safe for concurrent use, must not block on slow consumers for long, and
// must not keep e after it returns.
type Sink interface {
	Emit(ctx context.Context, e *Event)
}

// Multi sends every event to each of its sinks in order.
type Multi []Sink

// Emit implements Sink.
func (m Multi) Emit(ctx context.Context, e *Event) {
	for _, s := range m {
		s.Emit(ctx, e)
	}
}

// Discard drops every event.
var Discard Sink = Multi(nil)

// Emitter stamps events (time, request id and actor from the context) and hands them to its sink. The zero
// value and a nil *Emitter drop every event, so components can hold one unconditionally.
type Emitter struct {
	Sink Sink
	Now  func() time.Time // nil: time.Now
	// Host is the host id put in events that name none: a host's services share one Emitter.
	Host string
}

// Emit fills e's Time, Host, RequestID and Actor when they are empty and sends it.
func (em *Emitter) Emit(ctx context.Context, e Event) {
	if em == nil || em.Sink == nil {
		return
	}
	if e.Time.IsZero() {
		if em.Now != nil {
			e.Time = em.Now()
		} else {
			e.Time = time.Now()
		}
	}
	if e.Host == "" {
		e.Host = em.Host
	}
	if e.RequestID == "" {
		e.RequestID = RequestID(ctx)
	}
	if e.Actor == "" {
		e.Actor = Actor(ctx)
	}
	em.Sink.Emit(ctx, &e)
}
