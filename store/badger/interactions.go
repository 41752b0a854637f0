package badger

import (
	"context"
	"fmt"

	"github.com/assentry/assentry/store"
)

// interactionStore implements store.InteractionStore.
type interactionStore struct{ s *Store }

// Put creates or replaces an interaction; a used one cannot be replaced (ErrAlreadyUsed).
func (is interactionStore) Put(ctx context.Context, x *store.Interaction) error {
	if err := need("interaction", x.Host, x.ID); err != nil {
		return err
	}
	return is.s.update(ctx, func(t *txn) error {
		old, err := interactionTable.raw(t, x.Host, x.ID)
		if err != nil {
			return err
		}
		if old != nil && !t.expired(old.ExpiresAt) && !old.UsedAt.IsZero() {
			return fmt.Errorf("interaction %s: %w", x.ID, store.ErrAlreadyUsed)
		}
		return interactionTable.put(t, x, x.Host, x.ID)
	})
}

// Get returns a live interaction; a used one is returned with ErrAlreadyUsed.
func (is interactionStore) Get(ctx context.Context, host, id string) (*store.Interaction, error) {
	var x *store.Interaction
	err := is.s.view(ctx, func(t *txn) (err error) {
		x, err = interactionTable.get(t, host, id)
		if err == nil && !x.UsedAt.IsZero() {
			err = fmt.Errorf("interaction %s: %w", id, store.ErrAlreadyUsed)
		}
		return err
	})
	return x, err
}

// Consume marks the interaction used, in one transaction (racing consumers: the first commit wins).
func (is interactionStore) Consume(ctx context.Context, host, id string) (*store.Interaction, error) {
	var out *store.Interaction
	err := is.s.update(ctx, func(t *txn) error {
		x, err := interactionTable.get(t, host, id)
		out = x
		if err != nil {
			return err
		}
		if !x.UsedAt.IsZero() {
			return fmt.Errorf("interaction %s: %w", id, store.ErrAlreadyUsed)
		}
		x.UsedAt = t.now
		return interactionTable.put(t, x, host, id)
	})
	return out, err
}
