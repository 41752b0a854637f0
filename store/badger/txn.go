package badger

import (
	"errors"
	"fmt"
	"strings"
	"time"

	bdg "github.com/dgraph-io/badger/v4"
	// Records are JSON, encoded and decoded by goccy/go-json: the same bytes as encoding/json's, read in under half
	// its time; decoding a token and its grant was a third of an introspection's CPU with encoding/json.
	json "github.com/goccy/go-json"

	"github.com/assentry/assentry/store"
)

// ttlMargin is added to a record's remaining lifetime to form its Badger TTL. Expiry is decided by the
// injected clock on every read; the TTL only lets compaction reclaim the space some time later, and the margin
// keeps a slightly slow clock from losing a record that is still live.
const ttlMargin = time.Hour

// txn is one Badger transaction and the instant it runs at (the injected clock, read once per attempt). A write
// that shares a batch transaction with others (commit.go) has an overlay: its writes stay there, and its reads
// see them, until it succeeds and the committer applies them to the batch.
type txn struct {
	tx     *bdg.Txn
	now    time.Time
	writes int      // entries set or deleted so far, to tell an empty transaction from a full one
	bytes  int64    // bytes of keys and values set or deleted so far, for the free-space probe (space.go)
	ov     *overlay // nil: writes go straight to tx
}

// expired reports whether a record with this expiry is gone at t.now (zero: never expires). A record is gone
// once ExpiresAt <= now.
func (t *txn) expired(exp time.Time) bool {
	return !exp.IsZero() && !t.now.Before(exp)
}

// get returns a copy of the value at k, or nil when there is none.
func (t *txn) get(k []byte) ([]byte, error) {
	if e, ok := t.ov.lookup(k); ok {
		if e == nil {
			return nil, nil
		}
		return append([]byte(nil), e.Value...), nil
	}
	item, err := t.tx.Get(k)
	if errors.Is(err, bdg.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// set writes v at k. A record that expires gets a Badger TTL of its remaining lifetime plus ttlMargin.
func (t *txn) set(k, v []byte, exp time.Time) error {
	e := bdg.NewEntry(k, v)
	if !exp.IsZero() {
		e = e.WithTTL(max(exp.Sub(t.now), 0) + ttlMargin)
	}
	if t.ov != nil {
		t.ov.put(k, e)
	} else if err := t.tx.SetEntry(e); err != nil {
		return err
	}
	t.writes++
	t.bytes += int64(len(k) + len(v))
	return nil
}

// del removes k.
func (t *txn) del(k []byte) error {
	if t.ov != nil {
		t.ov.put(k, nil)
	} else if err := t.tx.Delete(k); err != nil {
		return err
	}
	t.writes++
	t.bytes += int64(len(k))
	return nil
}

// scan returns copies of the values of every key under p, in key order. Callers write only after scan returned,
// never while its iterator is open.
func (t *txn) scan(p []byte) ([][]byte, error) {
	it := t.tx.NewIterator(bdg.IteratorOptions{Prefix: p, PrefetchValues: true, PrefetchSize: 16})
	defer it.Close()
	var keys [][]byte
	var vals [][]byte
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		keys, vals = append(keys, it.Item().KeyCopy(nil)), append(vals, v)
	}
	return t.ov.merge(p, keys, vals), nil
}

// scanIDs returns the ids held by the index entries under p.
func (t *txn) scanIDs(p []byte) ([]string, error) {
	vals, err := t.scan(p)
	ids := make([]string, len(vals))
	for i, v := range vals {
		ids[i] = string(v)
	}
	return ids, err
}

// table describes how one entity type is stored, so the nine sub-stores share one get/put/list code path.
type table[T any] struct {
	kind    string             // key segment, one of the kind* constants
	noun    string             // for error messages
	expires func(*T) time.Time // the record's ExpiresAt; nil when the entity never expires
}

// exp returns v's expiry (zero: never).
func (tb table[T]) exp(v *T) time.Time {
	if tb.expires == nil {
		return time.Time{}
	}
	return tb.expires(v)
}

// raw reads the record at h/<host>/<kind>/<id...> whether expired or not; nil when absent.
func (tb table[T]) raw(t *txn, host string, id ...string) (*T, error) {
	b, err := t.get(key(host, tb.kind, id...))
	if err != nil || b == nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("badger: decode %s: %w", tb.noun, err)
	}
	return v, nil
}

// get reads a live record: ErrNotFound (wrapped) when absent or expired at t.now.
func (tb table[T]) get(t *txn, host string, id ...string) (*T, error) {
	v, err := tb.raw(t, host, id...)
	if err != nil {
		return nil, err
	}
	if v == nil || t.expired(tb.exp(v)) {
		return nil, tb.notFound(id...)
	}
	return v, nil
}

// live reports whether a live record exists (for ErrConflict checks: an expired record is free to replace).
func (tb table[T]) live(t *txn, host string, id ...string) (bool, error) {
	_, err := tb.get(t, host, id...)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// put writes v at h/<host>/<kind>/<id...> with the TTL of its expiry.
func (tb table[T]) put(t *txn, v *T, host string, id ...string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("badger: encode %s: %w", tb.noun, err)
	}
	return t.set(key(host, tb.kind, id...), b, tb.exp(v))
}

// del removes the record at h/<host>/<kind>/<id...>.
func (tb table[T]) del(t *txn, host string, id ...string) error {
	return t.del(key(host, tb.kind, id...))
}

// list returns the live records under h/<host>/<kind>/<under...>/, in key order.
func (tb table[T]) list(t *txn, host string, under ...string) ([]*T, error) {
	vals, err := t.scan(prefix(host, tb.kind, under...))
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(vals))
	for _, b := range vals {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return nil, fmt.Errorf("badger: decode %s: %w", tb.noun, err)
		}
		if !t.expired(tb.exp(v)) {
			out = append(out, v)
		}
	}
	return out, nil
}

// notFound is the ErrNotFound of this table.
func (tb table[T]) notFound(id ...string) error {
	return fmt.Errorf("%s %s: %w", tb.noun, strings.Join(id, "/"), store.ErrNotFound)
}

// conflict is the ErrConflict of this table.
func (tb table[T]) conflict(id ...string) error {
	return fmt.Errorf("%s %s exists: %w", tb.noun, strings.Join(id, "/"), store.ErrConflict)
}

// The tables of the entities.
var (
	userTable    = table[store.User]{kind: kindUser, noun: "user"}
	clientTable  = table[store.Client]{kind: kindClient, noun: "client"}
	sessionTable = table[store.Session]{kind: kindSession, noun: "session",
		expires: func(s *store.Session) time.Time { return s.ExpiresAt }}
	consentTable = table[store.Consent]{kind: kindConsent, noun: "consent",
		expires: func(c *store.Consent) time.Time { return c.ExpiresAt }}
	grantTable = table[store.Grant]{kind: kindGrant, noun: "grant",
		expires: func(g *store.Grant) time.Time { return g.ExpiresAt }}
	tokenTable = table[store.Token]{kind: kindToken, noun: "token",
		expires: func(k *store.Token) time.Time { return k.ExpiresAt }}
	interactionTable = table[store.Interaction]{kind: kindInteraction, noun: "interaction",
		expires: func(i *store.Interaction) time.Time { return i.ExpiresAt }}
	codeTable = table[store.Code]{kind: kindCode, noun: "code",
		expires: func(c *store.Code) time.Time { return c.ExpiresAt }}
	deviceCodeTable = table[store.DeviceCode]{kind: kindDeviceCode, noun: "device code",
		expires: func(d *store.DeviceCode) time.Time { return d.ExpiresAt }}
	keyTable = table[store.Key]{kind: kindKey, noun: "key",
		expires: func(k *store.Key) time.Time { return k.ExpiresAt }}
	revokedTable = table[store.RevokedClient]{kind: kindRevoked, noun: "revoked client"}
)

// need rejects a record without host or id before it reaches a key.
func need(noun, host, id string) error {
	if host == "" || id == "" {
		return fmt.Errorf("badger: %s needs a host and an id", noun)
	}
	return nil
}
