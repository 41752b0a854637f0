package audit

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/assentry/assentry/core/events"
)

// Sink writes one host's events to a Writer as JSON lines (the Event's JSON tags are the line format), keeping
// only the kinds of its allow-list when it has one.
type Sink struct {
	w     *Writer
	kinds []events.Kind // nil: every kind
}

var _ events.Sink = (*Sink)(nil)

// NewSink returns a sink writing to w; kinds, when not empty, are the only kinds it writes.
func NewSink(w *Writer, kinds []string) *Sink {
	s := &Sink{w: w}
	for _, k := range kinds {
		s.kinds = append(s.kinds, events.Kind(k))
	}
	return s
}

// Emit implements events.Sink: one line, written before Emit returns (or dropped after a bounded wait).
func (s *Sink) Emit(_ context.Context, e *events.Event) {
	if s.kinds != nil && !slices.Contains(s.kinds, e.Kind) {
		return
	}
	ev := *e
	ev.Time = ev.Time.UTC() // one zone in the file, whatever the server's
	line, err := json.Marshal(&ev)
	if err != nil { // cannot happen: an Event is strings and a time
		s.w.log.Error("audit log: encoding an event", "event", string(e.Kind), "err", err)
		return
	}
	s.w.WriteLine(append(line, '\n'))
}
