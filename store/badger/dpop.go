package badger

import (
	"context"
	"fmt"
	"time"

	"github.com/assentry/assentry/store"
)

// kindDPoPJTI keys the jti records of accepted DPoP proofs: h/<host>/dpop-jti/<jti>.
const kindDPoPJTI = "dpop-jti"

// dpopJTI is one remembered proof: only its expiry is stored, the jti being the key.
type dpopJTI struct {
	ExpiresAt time.Time `json:"expires_at"`
}

var dpopJTITable = table[dpopJTI]{kind: kindDPoPJTI, noun: "dpop proof",
	expires: func(j *dpopJTI) time.Time { return j.ExpiresAt }}

// DPoPProofs returns the jti records of DPoP proofs.
func (s *Store) DPoPProofs() store.DPoPProofStore { return dpopStore{s} }

// dpopStore implements store.DPoPProofStore.
type dpopStore struct{ s *Store }

// Record writes the jti unless a live record has it. The read and the write are one transaction: of racing
// recorders the first commit wins, and the others, retried on Badger's conflict, find its record. The record's
// Badger TTL lets compaction drop it after it expired, so nothing has to sweep.
func (ds dpopStore) Record(ctx context.Context, host, jti string, expiresAt time.Time) error {
	if err := need("dpop proof", host, jti); err != nil {
		return err
	}
	return ds.s.update(ctx, func(t *txn) error {
		if ok, err := dpopJTITable.live(t, host, jti); err != nil || ok {
			if err == nil {
				err = fmt.Errorf("dpop proof %s: %w", jti, store.ErrAlreadyUsed)
			}
			return err
		}
		return dpopJTITable.put(t, &dpopJTI{ExpiresAt: expiresAt}, host, jti)
	})
}
