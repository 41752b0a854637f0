package store

import (
	"context"
	"time"
)

// Instance is one serving process's announcement in the store it shares with others: which config-declared
// clients its configuration declares, per host, until ExpiresAt. The process renews it on a heartbeat and
// withdraws it when it stops cleanly; one that crashed is forgotten once ExpiresAt passes.
type Instance struct {
	// ID is random per process start (a restart is a new instance).
	ID        string    `json:"id"`
	StartedAt time.Time `json:"started_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Clients are the ids of the static clients the instance's configuration declares, by host id.
	Clients map[string][]string `json:"clients,omitempty"`
}

// Declares reports whether the instance's configuration declares client id of host.
func (i *Instance) Declares(host, id string) bool {
	for _, c := range i.Clients[host] {
		if c == id {
			return true
		}
	}
	return false
}

// InstanceRegistry is the optional interface of a backend that several `assentry serve` processes may share
// (the composition root checks for it with a type assertion, as for Migrator). Each process announces the
// clients its configuration declares, so that the configuration sync of one instance never deletes a client
// that another live instance still declares: during a rolling deploy, old and new configurations serve side by
// side. A backend that one process opens at a time (Badger) may keep the announcements in memory: they
// describe live processes, and there is only the one.
//
// The protocol that makes it safe: an instance announces a client before it writes it (ClientStore.Put), and a
// config-declared client is deleted only through DeleteUndeclaredClient, which checks the announcements and
// deletes in one write, so a client announced before the check is kept and one announced after is written
// again by its announcer.
type InstanceRegistry interface {
	// Announce creates or replaces the announcement of inst.ID.
	Announce(ctx context.Context, inst *Instance) error
	// Withdraw removes the announcement of id (a clean shutdown). Idempotent.
	Withdraw(ctx context.Context, id string) error
	// Instances returns the live announcements (ExpiresAt after the backend's clock), ordered by id.
	Instances(ctx context.Context) ([]*Instance, error)
	// DeleteUndeclaredClient deletes the client host/id and revokes every grant issued to it, as
	// ClientStore.Delete does, in one write, unless the client was not declared in a configuration (FromConfig
	// is false) or a live announcement declares it; it reports whether it deleted. ErrNotFound when there is no
	// such client.
	DeleteUndeclaredClient(ctx context.Context, host, id string) (bool, error)
}
