package policy

import (
	"slices"
	"sync"
)

// staleSet holds the plugins of a Manager whose file failed to load (at their last reload, or at start with
// on_load_error keep_last_good): an earlier version still runs, but it is not what their file says. It has its own lock, so a readiness probe or a metrics scrape never waits for a
// reload in progress (which holds the Manager's).
type staleSet struct {
	mu    sync.Mutex
	names map[string]bool
}

func (s *staleSet) set(name string, stale bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !stale {
		delete(s.names, name)
		return
	}
	if s.names == nil {
		s.names = map[string]bool{}
	}
	s.names[name] = true
}

// Stale returns the names of the host's plugins whose last reload failed, or that started on their last good
// version (on_load_error keep_last_good), sorted: each runs an earlier version, while its file says something
// else (broken, unreadable, or refused by its engine). A plugin
// leaves the list when a reload of it succeeds or its file is back to the version that runs. For /readyz and
// the assentry_policy_stale metric.
func (m *Manager) Stale() []string {
	m.stale.mu.Lock()
	defer m.stale.mu.Unlock()
	var out []string
	for n := range m.stale.names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Plugins returns the names of the host's configured plugins, in configuration order.
func (m *Manager) Plugins() []string {
	out := make([]string, len(m.opts.Bindings))
	for i, b := range m.opts.Bindings {
		out[i] = b.Name
	}
	return out
}
