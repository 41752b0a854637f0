package httpapi

import (
	"fmt"
	"strings"

	"github.com/assentry/assentry/core/inflight"
)

// hostTable is one generation of the hosts the server answers for: the hosts and their names, and the gate that
// counts the requests running on them. The server reads it through an atomic pointer, so a reload replaces every
// host at once and a request never sees half of two configurations.
type hostTable struct {
	hosts  []*Host
	byName map[string]*Host
	gate   *inflight.Gate
}

// newHostTable indexes hosts by name; a name served by two hosts is an error.
func newHostTable(hosts []*Host) (*hostTable, error) {
	if len(hosts) == 0 {
		return nil, fmt.Errorf("httpapi: no host")
	}
	t := &hostTable{hosts: hosts, byName: map[string]*Host{}, gate: inflight.New()}
	for _, h := range hosts {
		for _, n := range h.Hostnames {
			n = strings.ToLower(n)
			if _, dup := t.byName[n]; dup {
				return nil, fmt.Errorf("httpapi: host name %q is served by two hosts", n)
			}
			t.byName[n] = h
		}
	}
	return t, nil
}

// enterHosts returns the current host table with one more request counted on it; the caller must call
// t.gate.Leave when the request is done. A table retired between the load and the count is skipped for the
// next one (inflight.Gate).
func (s *Server) enterHosts() *hostTable {
	for {
		t := s.table.Load()
		if t.gate.Enter() {
			return t
		}
	}
}

// SetHosts replaces every host at once: requests that arrive from now on are routed to hosts, while those
// already running finish on the hosts they started with. The returned channel is closed once the last of those
// has finished, and only then may their hosts' resources (plugins) be released. On error nothing changes.
func (s *Server) SetHosts(hosts []*Host) (<-chan struct{}, error) {
	t, err := newHostTable(hosts)
	if err != nil {
		return nil, err
	}
	old := s.table.Swap(t)
	return old.gate.Retire(), nil
}

// Hosts returns the hosts currently served.
func (s *Server) Hosts() []*Host { return s.table.Load().hosts }
