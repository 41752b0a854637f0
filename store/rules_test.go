package store_test

import (
	"testing"
	"time"

	"github.com/assentry/assentry/store"
)

func TestGrantExpiry(t *testing.T) {
	day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		exp  time.Time
		want time.Time
	}{
		{"never expires", time.Time{}, time.Time{}},
		{"within the day", day.Add(13 * time.Hour), day.Add(store.GrantDay)},
		{"at midnight", day, day.Add(store.GrantDay)},
	} {
		if got := store.GrantExpiry(tt.exp); !got.Equal(tt.want) {
			t.Errorf("%s: GrantExpiry(%v) = %v, want %v", tt.name, tt.exp, got, tt.want)
		}
	}
}

// TestRecordPoll: RFC 8628 §3.5, a poll sooner than the interval (less the jitter) is early and slows every later
// poll down; the first poll and a poll on time are not.
func TestRecordPoll(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	d := &store.DeviceCode{Interval: 5}
	if d.RecordPoll(t0, time.Second, 5) || d.Interval != 5 || !d.LastPollAt.Equal(t0) {
		t.Fatalf("first poll: %+v", d)
	}
	if d.RecordPoll(t0.Add(4*time.Second+500*time.Millisecond), time.Second, 5) || d.Interval != 5 {
		t.Fatalf("a poll within the jitter is on time: %+v", d)
	}
	if !d.RecordPoll(t0.Add(6*time.Second), time.Second, 5) || d.Interval != 10 {
		t.Fatalf("an early poll: %+v", d)
	}
	if d.RecordPoll(t0.Add(16*time.Second), time.Second, 5) || d.Interval != 10 {
		t.Fatalf("a poll after the slowed interval: %+v", d)
	}
}
