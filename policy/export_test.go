package policy

// WatchStats returns what the Manager's watcher did so far: the events it ignored (not a plugin file), the
// events that scheduled a reload, and the reloads it ran. For the tests of package policy_test.
func (m *Manager) WatchStats() (ignored, scheduled, reloads int64) {
	return m.watch.ignored.Load(), m.watch.scheduled.Load(), m.watch.reloads.Load()
}
