package badger

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/assentry/assentry/store"
)

var _ store.InstanceRegistry = (*Store)(nil)

// instances keeps the announcements in memory: Badger admits one process at a time, so the only live
// instances are that process's own (a server announces once per start), and a crash forgets them with the
// process, as it should. mu also makes DeleteUndeclaredClient's check and delete one step with respect to
// Announce.
type instances struct {
	mu   sync.Mutex
	byID map[string]store.Instance
}

// errNotConfig ends DeleteUndeclaredClient's write when the client is not config-declared.
var errNotConfig = errors.New("badger: not a config-declared client")

// Announce creates or replaces the announcement of inst.ID (store.InstanceRegistry).
func (s *Store) Announce(ctx context.Context, inst *store.Instance) error {
	if inst.ID == "" {
		return errors.New("badger: an instance needs an id")
	}
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	c := *inst
	c.Clients = make(map[string][]string, len(inst.Clients))
	for h, ids := range inst.Clients {
		c.Clients[h] = slices.Clone(ids)
	}
	s.instances.mu.Lock()
	defer s.instances.mu.Unlock()
	if s.instances.byID == nil {
		s.instances.byID = map[string]store.Instance{}
	}
	s.instances.byID[inst.ID] = c
	return nil
}

// Withdraw removes the announcement of id (store.InstanceRegistry).
func (s *Store) Withdraw(ctx context.Context, id string) error {
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	s.instances.mu.Lock()
	defer s.instances.mu.Unlock()
	delete(s.instances.byID, id)
	return nil
}

// Instances returns the live announcements ordered by id (store.InstanceRegistry).
func (s *Store) Instances(ctx context.Context) ([]*store.Instance, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	s.instances.mu.Lock()
	defer s.instances.mu.Unlock()
	return s.liveInstances(), nil
}

// liveInstances lists the unexpired announcements, as copies; instances.mu is held.
func (s *Store) liveInstances() []*store.Instance {
	now := s.clock()
	var out []*store.Instance
	for _, inst := range s.instances.byID {
		if inst.ExpiresAt.After(now) {
			c := inst
			c.Clients = make(map[string][]string, len(inst.Clients))
			for h, ids := range inst.Clients {
				c.Clients[h] = slices.Clone(ids)
			}
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *store.Instance) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// DeleteUndeclaredClient deletes a config-declared client no live announcement declares, with its grants, as
// clientStore.Delete does (store.InstanceRegistry).
func (s *Store) DeleteUndeclaredClient(ctx context.Context, host, id string) (bool, error) {
	s.instances.mu.Lock()
	defer s.instances.mu.Unlock()
	for _, inst := range s.liveInstances() {
		if inst.Declares(host, id) {
			return false, nil
		}
	}
	_, err := s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		c, err := clientTable.get(t, host, id)
		if err != nil {
			return nil, nil, err
		}
		if !c.FromConfig {
			return nil, nil, errNotConfig
		}
		steps, err := revokeSteps(t, host, kindClientGrant, id)
		return steps, func(t *txn) error { return clientTable.del(t, host, id) }, err
	})
	switch {
	case errors.Is(err, errNotConfig):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}
