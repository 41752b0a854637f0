package oauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
)

// Several `assentry serve` processes may share one store (PostgreSQL), and during a rolling deploy they run
// different configurations. Each announces the clients its configuration declares (store.InstanceRegistry)
// before it writes them, and a config-declared client is deleted only while no live instance declares it: so
// an instance on the old configuration never deletes a client the new configuration added, and a client removed
// from the configuration goes once the last instance declaring it has stopped or reloaded.

// WithRegistry makes the client registry delete config-declared clients only through reg, which keeps those a
// live instance declares. Without it (a store with no registry) a client no longer declared here is deleted at
// once. It returns c.
func (c *Clients) WithRegistry(reg store.InstanceRegistry) *Clients {
	c.registry = reg
	return c
}

// ReasonUndeclared is the reason of the client.revoked event of a static client deleted because no
// configuration declares it any more (a static client deleted with the CLI is "deleted").
const ReasonUndeclared = "undeclared"

// WithEvents makes the client registry report the config-declared clients it deletes (client.revoked, reason
// ReasonUndeclared) to em; nil drops them. It returns c.
func (c *Clients) WithEvents(em *events.Emitter) *Clients {
	c.events = em
	return c
}

// PruneConfig deletes, with their grants, the stored config-declared clients that are not in declared (the ids
// this process declares) and that no live instance declares, and returns their ids. The periodic heartbeat
// calls it, so a client removed from the configuration goes once every instance still declaring it has
// stopped, reloaded or lapsed.
func (c *Clients) PruneConfig(ctx context.Context, declared []string) ([]string, error) {
	existing, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	keep := make(map[string]bool, len(declared))
	for _, id := range declared {
		keep[id] = true
	}
	return c.prune(ctx, existing, keep)
}

// prune deletes the config-declared clients of existing that are not in keep: through the registry, which
// keeps those another live instance declares, or directly without one. A client already gone is skipped.
func (c *Clients) prune(ctx context.Context, existing []*store.Client, keep map[string]bool) ([]string, error) {
	var removed []string
	for _, cl := range existing {
		if !cl.FromConfig || keep[cl.ID] {
			continue
		}
		deleted, err := true, error(nil)
		if c.registry != nil {
			c.clients.forget(c.host, cl.ID)
			deleted, err = c.registry.DeleteUndeclaredClient(ctx, c.host, cl.ID)
			c.clients.forget(c.host, cl.ID)
		} else {
			err = c.clients.Delete(ctx, c.host, cl.ID)
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return removed, err
		case deleted:
			removed = append(removed, cl.ID)
			// Deleting the client revoked its grants too (store.ClientStore.Delete), as client del does.
			c.events.Emit(ctx, events.Event{Kind: events.ClientRevoked, Host: c.host, ClientID: cl.ID,
				ClientKind: ClientKind(cl), Reason: ReasonUndeclared})
		}
	}
	return removed, nil
}

// RestoreConfig creates the clients of declared that are missing from the store and returns their ids; those
// present are left as they are (the last instance to sync wins). The heartbeat calls it: a client this process
// declares can be missing only if another instance deleted it while this one's announcement had lapsed (a
// database out of reach for longer than the announcement lives), or in a race with that instance's prune.
func (c *Clients) RestoreConfig(ctx context.Context, declared []ConfigClient) ([]string, error) {
	var created []string
	for _, d := range declared {
		if _, err := c.clients.ClientStore.Get(ctx, c.host, d.Spec.ID); !errors.Is(err, store.ErrNotFound) {
			if err != nil {
				return created, err
			}
			continue
		}
		cl, err := c.fromConfig(d)
		if err != nil {
			return created, err
		}
		err = c.clients.Create(ctx, cl)
		switch {
		case errors.Is(err, store.ErrConflict): // written meanwhile, by whichever instance
		case err != nil:
			return created, err
		default:
			created = append(created, cl.ID)
		}
	}
	return created, nil
}

// CheckConfigClients validates declared as SyncConfig would store them on a host whose enabled grants are
// hostGrants, without a store: one error per client in error, each naming the client.
func CheckConfigClients(hostGrants []string, declared []ConfigClient) []error {
	c := &Clients{grants: hostGrants, now: time.Now}
	var errs []error
	for _, d := range declared {
		if _, err := c.fromConfig(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// fromConfig is the stored form of a config-declared client, stamped now.
func (c *Clients) fromConfig(d ConfigClient) (*store.Client, error) {
	cl, err := c.fromSpec(d.Spec)
	if err != nil {
		return nil, fmt.Errorf("client %s: %w", d.Spec.ID, err)
	}
	cl.SecretHash, cl.SecretFromEnv, cl.FromConfig = strings.ToLower(d.SecretSHA256), d.SecretEnv, true
	now := c.now().UTC()
	cl.CreatedAt, cl.UpdatedAt = now, now
	return cl, nil
}
