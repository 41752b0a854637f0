package badger

import (
	"bytes"
	"slices"

	bdg "github.com/dgraph-io/badger/v4"
)

// overlay holds the writes of one write that shares a batch transaction (commit.go) until it succeeds: a set is
// its entry, a delete a nil entry. Reads of the write see it first (lookup, merge); apply hands it to the batch.
// A nil *overlay is a write that goes straight to its transaction: every method is then a no-op.
type overlay struct {
	entries map[string]*bdg.Entry
	order   []string // keys in the order first written, so apply replays them as they came
}

func newOverlay() *overlay { return &overlay{entries: map[string]*bdg.Entry{}} }

// put records a set (e) or a delete (nil) of k.
func (o *overlay) put(k []byte, e *bdg.Entry) {
	ks := string(k)
	if _, seen := o.entries[ks]; !seen {
		o.order = append(o.order, ks)
	}
	o.entries[ks] = e
}

// lookup returns the overlay's write of k: ok when there is one, with e nil for a delete.
func (o *overlay) lookup(k []byte) (e *bdg.Entry, ok bool) {
	if o == nil {
		return nil, false
	}
	e, ok = o.entries[string(k)]
	return e, ok
}

// merge lays the overlay's writes under prefix p over what an iterator found (keys and vals in key order) and
// returns the values in key order.
func (o *overlay) merge(p []byte, keys, vals [][]byte) [][]byte {
	if o == nil || len(o.entries) == 0 {
		return vals
	}
	byKey := make(map[string][]byte, len(keys))
	for i, k := range keys {
		byKey[string(k)] = vals[i]
	}
	for k, e := range o.entries {
		if !bytes.HasPrefix([]byte(k), p) {
			continue
		}
		if e == nil {
			delete(byKey, k)
		} else {
			byKey[k] = e.Value
		}
	}
	sorted := make([]string, 0, len(byKey))
	for k := range byKey {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	out := make([][]byte, len(sorted))
	for i, k := range sorted {
		out[i] = byKey[k]
	}
	return out
}

// cost is what the overlay adds to a batch: entries, and bytes as Badger counts them (key, value and a margin
// for its per-entry metadata).
func (o *overlay) cost() (entries, size int64) {
	for k, e := range o.entries {
		size += int64(len(k)) + 32
		if e != nil {
			size += int64(len(e.Value))
		}
	}
	return int64(len(o.entries)), size
}

// apply hands the overlay's writes to tx, in the order they were first made.
func (o *overlay) apply(tx *bdg.Txn) error {
	for _, k := range o.order {
		e := o.entries[k]
		var err error
		if e == nil {
			err = tx.Delete([]byte(k))
		} else {
			err = tx.SetEntry(e)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
