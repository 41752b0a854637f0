package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/store"
	badgerstore "github.com/assentry/assentry/store/badger"
	pgstore "github.com/assentry/assentry/store/postgres"
)

// checkKeysTimeout bounds the connection to PostgreSQL of `config check`: a database that does not answer is a
// note, not a hang.
const checkKeysTimeout = 5 * time.Second

// checkStoredKeys checks, when the configured store exists, that each host's key_encryption_key opens the
// signing keys the store holds for it, as serve needs at start (a switched key_encryption_key would otherwise
// pass the check and make serve exit 1). The store is opened read-only, so nothing is written: Badger under a
// shared lock with its files opened read-only, PostgreSQL in read-only sessions, and a database without the
// schema is not given one. It returns one problem per key that does not open, and a note for the summary: how
// many keys were checked, or why none were (no store yet, or the server holds the Badger store).
func checkStoredKeys(ctx context.Context, s *config.Settings, src *config.Sources) (problems []string, note string) {
	// The whole check, not only the connection: a keys table locked by a migration is a note, not a hang.
	ctx, cancel := context.WithTimeout(ctx, 4*checkKeysTimeout)
	defer cancel()
	st, note := openStoreReadOnly(ctx, s)
	if st == nil {
		return nil, note
	}
	defer st.Close()
	n := 0
	for i := range s.Hosts {
		h := &s.Hosts[i]
		checked, err := token.CheckStoredKeys(ctx, st.Keys(), h.ID, h.KeyEncryptionKeyBytes)
		n += checked
		if err == nil {
			continue
		}
		for _, e := range unjoin(err) { // each key's failure on its own: a wrong key_encryption_key, or damage
			if errors.Is(e, token.ErrUndecryptable) {
				problems = append(problems, fmt.Sprintf("%s: host %s: %v: it opens no signing key the store holds "+
					"for the host, and serve would refuse to start (set the key_encryption_key the keys were sealed with)",
					src.HostKey(i, "key_encryption_key"), h.ID, e))
			} else {
				problems = append(problems, fmt.Sprintf("host %s: signing keys: %v", h.ID, e))
			}
		}
	}
	return problems, fmt.Sprintf("%d stored signing key%s open", n, plural(n))
}

// openStoreReadOnly opens the configured store for reading, or returns nil and why it did not.
func openStoreReadOnly(ctx context.Context, s *config.Settings) (store.Store, string) {
	log := slog.New(slog.DiscardHandler)
	if s.Store.Backend == config.StorePostgres {
		st, err := pgstore.Open(ctx, pgstore.Options{DSN: s.Store.DSN, MaxConns: 1, ConnectTimeout: checkKeysTimeout,
			Logger: log, ReadOnly: true})
		switch {
		case errors.Is(err, pgstore.ErrNoSchema):
			return nil, "no store yet: the database holds no schema"
		case err != nil:
			return nil, fmt.Sprintf("signing keys not checked: %v", err)
		}
		return st, ""
	}
	if !holdsStore(s.DataDir) {
		return nil, "no store yet"
	}
	// The server's memtable size: replaying its write-ahead log needs as much.
	st, err := badgerstore.Open(ctx, badgerstore.Options{Dir: s.DataDir, Logger: log, ReadOnly: true,
		MemTableSize: s.Store.MemTableSize, BlockCacheSize: 1 << 20, IndexCacheSize: 1 << 20})
	switch {
	case errors.Is(err, badgerstore.ErrLocked):
		return nil, "signing keys not checked: the server holds the store"
	case err != nil && strings.Contains(err.Error(), "truncate"):
		return nil, "signing keys not checked: the store was not closed cleanly (its log needs a replay, which " +
			"only serve, reading and writing, does)"
	case err != nil:
		return nil, fmt.Sprintf("signing keys not checked: %v", err)
	}
	return st, ""
}

// unjoin lists the errors an errors.Join made, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
