package badger

import (
	"bytes"
	"context"
	"fmt"

	bdg "github.com/dgraph-io/badger/v4"
	json "github.com/goccy/go-json"

	"github.com/assentry/assentry/store"
)

// EndRefreshChains revokes, in every host, each live grant that holds a usable refresh token (live, unused,
// unrevoked), and returns how many it revoked. It is what `assentry restore --end-refresh-tokens` runs on a
// restored store: a refresh token rotated after the backup was taken is unused again in the restored data, and
// the token it was rotated into is unknown there, so its reuse could not be detected. Ending every chain that
// still holds a refresh token closes that hole at the cost of every user of those chains authorizing again.
// Other grants (client credentials, password grants without refresh tokens) are left alone: their access tokens
// expire within access_token_ttl.
func (s *Store) EndRefreshChains(ctx context.Context) (int, error) {
	return s.bulk(ctx, func(t *txn) ([]step, func(*txn) error, error) {
		grants, err := refreshGrants(t)
		if err != nil {
			return nil, nil, err
		}
		steps := make([]step, len(grants))
		for i, g := range grants {
			steps[i] = func(t *txn) (bool, error) { return revokeGrant(t, g.host, g.id, nil) }
		}
		return steps, nil, nil
	})
}

// hostGrant names one grant.
type hostGrant struct{ host, id string }

// refreshGrants lists the grants, over every host, that hold a usable refresh token at t.now.
func refreshGrants(t *txn) ([]hostGrant, error) {
	it := t.tx.NewIterator(bdg.IteratorOptions{Prefix: []byte("h/")})
	defer it.Close()
	seen := map[hostGrant]bool{}
	var out []hostGrant
	for it.Rewind(); it.Valid(); it.Next() {
		// h/<host>/token/<id>: the third component names the kind (components are escaped, so never contain '/').
		parts := bytes.SplitN(it.Item().Key(), []byte("/"), 4)
		if len(parts) != 4 || string(parts[2]) != kindToken {
			continue
		}
		b, err := it.Item().ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		var tok store.Token
		if err := json.Unmarshal(b, &tok); err != nil {
			return nil, fmt.Errorf("badger: decode token: %w", err)
		}
		if tok.Kind != store.RefreshToken || !tok.UsedAt.IsZero() || tok.Revoked || t.expired(tok.ExpiresAt) {
			continue
		}
		g := hostGrant{tok.Host, tok.GrantID}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out, nil
}
