package token

import (
	"context"
	"errors"
	"fmt"

	"github.com/assentry/assentry/store"
)

// Moving a host to another store (`assentry export` and `import`) copies its signing keys as they are stored:
// sealed under the key_encryption_key, with the host id and kid authenticated (seal.go). The target must therefore
// hold the same key_encryption_key, which CheckKey verifies before anything is written, and a host imported
// under another id needs its keys sealed again for that id, which MoveKey does.

// CheckKey reports whether the stored key k can be used by a server configured with kek: nil for a record that
// is not a signing key (other uses are not sealed by this package), one without a private half (a retired key
// only verifies) and one stored in plaintext; otherwise its private half must open under kek, else the error
// wraps ErrUndecryptable.
func CheckKey(kek []byte, k *store.Key) error {
	if k.Use != keyUse || len(k.Private) == 0 || !sealed(k.Private) {
		return nil
	}
	der, err := open(kek, k.Host, k.ID, k.Private)
	clear(der)
	return err
}

// MoveKey returns a copy of the stored key k as a key of host to: a sealed private half is opened under k's host
// and sealed again under to with kek (the same key_encryption_key on both sides); a plaintext or absent one is
// copied as it is. It fails like CheckKey when the private half does not open.
func MoveKey(kek []byte, k *store.Key, to string) (*store.Key, error) {
	m := *k
	m.Host = to
	if k.Use != keyUse || len(k.Private) == 0 || !sealed(k.Private) {
		return &m, nil
	}
	der, err := open(kek, k.Host, k.ID, k.Private)
	if err != nil {
		return nil, err
	}
	defer clear(der)
	if m.Private, err = seal(kek, to, k.ID, der); err != nil {
		return nil, fmt.Errorf("token: seal signing key %s for host %s: %w", k.ID, to, err)
	}
	return &m, nil
}

// CheckStoredKeys reports whether a server of host configured with kek can use the signing keys ks holds for it,
// as CheckKey does for each, reading only (`assentry config check`). It returns how many signing keys it checked
// and the failures joined, one per key.
func CheckStoredKeys(ctx context.Context, ks store.KeyStore, host string, kek []byte) (int, error) {
	recs, err := ks.List(ctx, host, keyUse)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, k := range recs {
		errs = append(errs, CheckKey(kek, k))
	}
	return len(recs), errors.Join(errs...)
}
