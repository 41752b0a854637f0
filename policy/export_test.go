package policy

import (
	"sync"
	"time"
)

// WatchStats returns what the Manager's watcher did so far: the events it ignored (not a plugin file), the
// events that scheduled a reload, and the reloads it ran. For the tests of package policy_test.
func (m *Manager) WatchStats() (ignored, scheduled, reloads int64) {
	return m.watch.ignored.Load(), m.watch.scheduled.Load(), m.watch.reloads.Load()
}

// FakeClock is a debounce timer on a clock that moves only when the test calls Advance.
type FakeClock struct {
	mu       sync.Mutex
	now      time.Time
	deadline time.Time
	armed    bool
	resets   int
	fired    int
	c        chan time.Time
}

// UseFakeClock makes the watcher's debounce timer a FakeClock; call it before Watch.
func (m *Manager) UseFakeClock() *FakeClock {
	f := &FakeClock{now: time.Unix(0, 0), c: make(chan time.Time, 1)}
	m.newDebounce = func() debounce { return f }
	return f
}

func (f *FakeClock) Reset(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deadline, f.armed = f.now.Add(d), true
	f.resets++
}

func (f *FakeClock) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = false
}

func (f *FakeClock) C() <-chan time.Time { return f.c }

// Advance moves the clock by d and fires the timer if its deadline is reached.
func (f *FakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	if f.armed && !f.now.Before(f.deadline) {
		f.armed = false
		f.fired++
		f.c <- f.now
	}
}

// Resets counts the timer's resets (one per event that scheduled a reload).
func (f *FakeClock) Resets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resets
}

// Fired counts the times the timer fired (each starts one reload).
func (f *FakeClock) Fired() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}
