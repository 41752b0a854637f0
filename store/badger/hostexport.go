package badger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"

	bdg "github.com/dgraph-io/badger/v4"
	json "github.com/goccy/go-json"

	"github.com/assentry/assentry/store"
)

var _ store.HostExporter = (*Store)(nil)

// recordKinds maps each kind of record to its key segment; the other segments (username, user-session,
// user-grant, client-grant, user-code) are index entries, which an import rebuilds.
var recordKinds = map[store.Kind]string{
	store.KindUser: kindUser, store.KindClient: kindClient, store.KindKey: kindKey, store.KindRevokedClient: kindRevoked,
	store.KindConsent: kindConsent, store.KindSession: kindSession, store.KindGrant: kindGrant, store.KindToken: kindToken,
	store.KindCode: kindCode, store.KindDeviceCode: kindDeviceCode, store.KindInteraction: kindInteraction,
}

// replaceBatch bounds the keys one transaction of ImportOptions.Replace deletes.
const replaceBatch = 10000

// ExportHost calls fn with every live record of host from one read transaction (a snapshot), kind by kind,
// streaming: nothing is held in memory but the record at hand.
func (s *Store) ExportHost(ctx context.Context, host string, fn func(store.Record) error) error {
	if host == "" {
		return errors.New("badger: export needs a host")
	}
	return s.view(ctx, func(t *txn) error {
		for _, k := range store.Kinds() {
			if err := exportKind(ctx, t, host, k, fn); err != nil {
				return err
			}
		}
		return nil
	})
}

// exportKind streams the records of one kind of host to fn, skipping those expired at t.now.
func exportKind(ctx context.Context, t *txn, host string, k store.Kind, fn func(store.Record) error) error {
	it := t.tx.NewIterator(bdg.IteratorOptions{Prefix: prefix(host, recordKinds[k]), PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var r store.Record
		err := it.Item().Value(func(b []byte) error {
			var err error
			r, err = store.DecodeRecord(k, b, json.Unmarshal)
			return err
		})
		if err != nil {
			return fmt.Errorf("badger: export %s %s: %w", k, it.Item().Key(), err)
		}
		if t.expired(r.ExpiresAt()) {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// ImportHost writes recs into host: refused with a *store.HostNotEmptyError when the host holds any key, unless
// o.Replace; then one solo transaction per batch (a batch too big for one Badger transaction is split in two).
func (s *Store) ImportHost(ctx context.Context, host string, recs iter.Seq2[store.Record, error], o store.ImportOptions) (store.ImportResult, error) {
	if host == "" {
		return store.ImportResult{}, errors.New("badger: import needs a host")
	}
	replaced := 0
	if o.Replace {
		n, err := s.deleteHost(ctx, host)
		if err != nil {
			return store.ImportResult{}, fmt.Errorf("badger: replace host %q: %w", host, err)
		}
		replaced = n
	} else {
		var full bool
		err := s.view(ctx, func(t *txn) (err error) {
			full, err = holdsKeys(t, hostPrefix(host))
			return err
		})
		if err != nil {
			return store.ImportResult{}, err
		}
		if full {
			return store.ImportResult{}, &store.HostNotEmptyError{Host: host, Where: "the Badger store"}
		}
	}
	res, err := store.ImportBatches(ctx, host, recs, o.Batch, s.clock, s.importBatch)
	res.Replaced = replaced
	return res, err
}

// hostPrefix is the prefix of every key of host.
func hostPrefix(host string) []byte { return []byte("h/" + escape(host) + "/") }

// holdsKeys reports whether any key starts with p.
func holdsKeys(t *txn, p []byte) (bool, error) {
	it := t.tx.NewIterator(bdg.IteratorOptions{Prefix: p})
	defer it.Close()
	it.Rewind()
	return it.Valid(), nil
}

// deleteHost deletes every key of host, replaceBatch keys per transaction, and returns how many records (not
// index entries) it deleted.
func (s *Store) deleteHost(ctx context.Context, host string) (int, error) {
	p := hostPrefix(host)
	records := 0
	for {
		var keys [][]byte
		if err := s.view(ctx, func(t *txn) error {
			it := t.tx.NewIterator(bdg.IteratorOptions{Prefix: p})
			defer it.Close()
			for it.Rewind(); it.Valid() && len(keys) < replaceBatch; it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		}); err != nil || len(keys) == 0 {
			return records, err
		}
		if err := s.write(ctx, func(t *txn) error {
			for _, k := range keys {
				if err := t.del(k); err != nil {
					return err
				}
			}
			return nil
		}, true); err != nil {
			return records, err
		}
		for _, k := range keys {
			if isRecordKey(k[len(p):]) {
				records++
			}
		}
	}
}

// isRecordKey reports whether rest (a key after its host prefix) is a record's rather than an index entry's.
func isRecordKey(rest []byte) bool {
	seg, _, _ := bytes.Cut(rest, []byte("/"))
	for _, kind := range recordKinds {
		if string(seg) == kind {
			return true
		}
	}
	return false
}

// importBatch writes recs in one solo transaction and returns how many transactions it took: when the batch is
// too big for one, it is split in halves, each written alone.
func (s *Store) importBatch(ctx context.Context, recs []store.Record) (int, error) {
	err := s.write(ctx, func(t *txn) error {
		for _, r := range recs {
			if err := putRecord(t, r); err != nil {
				return err
			}
		}
		return nil
	}, true)
	if errors.Is(err, bdg.ErrTxnTooBig) && len(recs) > 1 {
		a, err := s.importBatch(ctx, recs[:len(recs)/2])
		if err != nil {
			return a, err
		}
		b, err := s.importBatch(ctx, recs[len(recs)/2:])
		return a + b, err
	}
	if err != nil {
		return 0, fmt.Errorf("badger: import: %w", err)
	}
	return 1, nil
}

// putRecord writes one imported record as it is, with the index entries the sub-stores keep for it. A record
// whose key is taken in this import (the same record twice), a username a live user holds, or a user code a
// live device code holds is ErrConflict, as the PostgreSQL backend's unique keys make it.
func putRecord(t *txn, r store.Record) error {
	k := recordKinds[r.Kind()]
	host := r.Host()
	var id []string
	if c := r.Consent; c != nil {
		id = []string{c.UserID, c.ClientID}
	} else {
		id = []string{r.ID()}
	}
	old, err := t.get(key(host, k, id...))
	if err != nil {
		return err
	}
	if old != nil {
		return fmt.Errorf("%s %s appears twice: %w", r.Kind(), r.ID(), store.ErrConflict)
	}
	switch {
	case r.User != nil:
		u := r.User
		if !u.Deleted {
			if err := claimUsername(t, host, u.Username, u.ID); err != nil {
				return err
			}
		}
		return userTable.put(t, u, host, u.ID)
	case r.Client != nil:
		return clientTable.put(t, r.Client, host, r.Client.ID)
	case r.Key != nil:
		return keyTable.put(t, r.Key, host, r.Key.ID)
	case r.RevokedClient != nil:
		return revokedTable.put(t, r.RevokedClient, host, r.RevokedClient.ID)
	case r.Consent != nil:
		return consentTable.put(t, r.Consent, host, r.Consent.UserID, r.Consent.ClientID)
	case r.Session != nil:
		x := r.Session
		if err := sessionTable.put(t, x, host, x.ID); err != nil {
			return err
		}
		return t.set(key(host, kindUserSession, x.UserID, x.ID), []byte(x.ID), x.ExpiresAt)
	case r.Grant != nil:
		return putGrant(t, r.Grant)
	case r.Token != nil:
		return tokenTable.put(t, r.Token, host, r.Token.ID)
	case r.Code != nil:
		return codeTable.put(t, r.Code, host, r.Code.ID)
	case r.DeviceCode != nil:
		if r.DeviceCode.UserCode == "" {
			return fmt.Errorf("badger: device code %s has no user code", r.DeviceCode.ID)
		}
		return putDeviceCode(t, r.DeviceCode, "")
	case r.Interaction != nil:
		return interactionTable.put(t, r.Interaction, host, r.Interaction.ID)
	}
	return fmt.Errorf("badger: import of an empty record")
}
