package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/assentry/assentry/store"
)

var _ store.HostExporter = (*Store)(nil)

// hostTables maps each kind of record to its table and whether its rows expire (an expires_at column).
var hostTables = map[store.Kind]struct {
	table   string
	expires bool
}{
	store.KindUser: {"users", false}, store.KindClient: {"clients", false}, store.KindKey: {"keys", true},
	store.KindRevokedClient: {"revoked_clients", false}, store.KindConsent: {"consents", true},
	store.KindSession: {"sessions", true}, store.KindGrant: {"grants", true}, store.KindToken: {"tokens", true},
	store.KindCode: {"codes", true}, store.KindDeviceCode: {"device_codes", true},
	store.KindInteraction: {"interactions", true},
}

// ExportHost calls fn with every live record of host from one read-only REPEATABLE READ transaction, so the
// export is one snapshot even while servers write; rows are streamed, table by table.
func (s *Store) ExportHost(ctx context.Context, host string, fn func(store.Record) error) error {
	if host == "" {
		return errors.New("postgres: export needs a host")
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	now := s.now()
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return wrap(pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		for _, k := range store.Kinds() {
			if err := exportTable(ctx, tx, host, k, now, fn); err != nil {
				return err
			}
		}
		return nil
	}))
}

// exportTable streams the live rows of one kind of host to fn.
func exportTable(ctx context.Context, tx pgx.Tx, host string, k store.Kind, now time.Time, fn func(store.Record) error) error {
	t := hostTables[k]
	sql, args := `SELECT data FROM `+t.table+` WHERE host = $1`, []any{host}
	if t.expires {
		sql, args = sql+` AND `+live(2), append(args, now)
	}
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return err
		}
		r, err := store.DecodeRecord(k, b, json.Unmarshal)
		if err != nil {
			return fmt.Errorf("postgres: export %s: %w", k, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ImportHost writes recs into host: refused with a *store.HostNotEmptyError when any table holds a row of the
// host, unless o.Replace, which deletes them all in one transaction first; then one transaction per batch, its
// inserts sent in one round trip. Plain INSERTs: a record twice, a username a live user holds, a user code taken
// fail the batch with ErrConflict.
func (s *Store) ImportHost(ctx context.Context, host string, recs iter.Seq2[store.Record, error], o store.ImportOptions) (store.ImportResult, error) {
	if host == "" {
		return store.ImportResult{}, errors.New("postgres: import needs a host")
	}
	replaced := 0
	err := s.tx(ctx, func(tx pgx.Tx) error {
		for _, k := range store.Kinds() {
			table := hostTables[k].table
			if o.Replace {
				tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE host = $1`, host)
				if err != nil {
					return err
				}
				replaced += int(tag.RowsAffected())
				continue
			}
			var found bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE host = $1)`, host).Scan(&found); err != nil {
				return err
			}
			if found {
				return &store.HostNotEmptyError{Host: host, Where: s.where}
			}
		}
		return nil
	})
	if err != nil {
		return store.ImportResult{}, err
	}
	res, err := store.ImportBatches(ctx, host, recs, o.Batch, s.now, s.importBatch)
	res.Replaced = replaced
	return res, err
}

// importBatch writes recs in one transaction, every INSERT queued in one pgx batch.
func (s *Store) importBatch(ctx context.Context, recs []store.Record) (int, error) {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, r := range recs {
			sql, args, err := insertRecord(r)
			if err != nil {
				return err
			}
			b.Queue(sql, args...)
		}
		br := tx.SendBatch(ctx, b)
		for _, r := range recs {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return fmt.Errorf("%s %s: %w", r.Kind(), r.ID(), wrap(err))
			}
		}
		return br.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: import: %w", err)
	}
	return 1, nil
}

// insertRecord is the INSERT of one imported record, with the columns its queries use filled from it as the
// sub-stores fill them.
func insertRecord(r store.Record) (string, []any, error) {
	switch {
	case r.User != nil:
		u := r.User
		return insertRow("users", "host, id, username, deleted", u, u.Host, u.ID, u.Username, u.Deleted)
	case r.Client != nil:
		c := r.Client
		return insertRow("clients", "host, id", c, c.Host, c.ID)
	case r.Key != nil:
		k := r.Key
		return insertRow("keys", "host, id, use, created_at, expires_at", k, k.Host, k.ID, k.Use, k.CreatedAt, expiry(k.ExpiresAt))
	case r.RevokedClient != nil:
		x := r.RevokedClient
		return insertRow("revoked_clients", "host, id, revoked_at", x, x.Host, x.ID, x.RevokedAt)
	case r.Consent != nil:
		c := r.Consent
		return insertRow("consents", "host, user_id, client_id, expires_at", c, c.Host, c.UserID, c.ClientID, expiry(c.ExpiresAt))
	case r.Session != nil:
		x := r.Session
		return insertRow("sessions", "host, id, user_id, created_at, expires_at", x, x.Host, x.ID, x.UserID, x.CreatedAt,
			expiry(x.ExpiresAt))
	case r.Grant != nil:
		g := r.Grant
		return insertRow("grants", "host, id, user_id, client_id, created_at, expires_at, revoked", g, g.Host, g.ID, g.UserID,
			g.ClientID, g.CreatedAt, expiry(g.ExpiresAt), g.Revoked)
	case r.Token != nil:
		k := r.Token
		return insertRow("tokens", "host, id, grant_id, expires_at", k, k.Host, k.ID, k.GrantID, expiry(k.ExpiresAt))
	case r.Code != nil:
		c := r.Code
		return insertRow("codes", "host, id, expires_at, used", c, c.Host, c.ID, expiry(c.ExpiresAt), !c.UsedAt.IsZero())
	case r.DeviceCode != nil:
		d := r.DeviceCode
		return insertRow("device_codes", "host, id, user_code, expires_at", d, d.Host, d.ID, d.UserCode, expiry(d.ExpiresAt))
	case r.Interaction != nil:
		x := r.Interaction
		return insertRow("interactions", "host, id, expires_at, used", x, x.Host, x.ID, expiry(x.ExpiresAt), !x.UsedAt.IsZero())
	}
	return "", nil, errors.New("postgres: import of an empty record")
}

// insertRow is the INSERT into table of the columns cols (comma-separated) set to args, one each, and of the
// data column set to v encoded.
func insertRow(table, cols string, v any, args ...any) (string, []any, error) {
	b, err := enc(v)
	if err != nil {
		return "", nil, err
	}
	ps := make([]string, len(args)+1)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(i+1)
	}
	return `INSERT INTO ` + table + ` (` + cols + `, data) VALUES (` + strings.Join(ps, ", ") + `)`, append(args, b), nil
}
