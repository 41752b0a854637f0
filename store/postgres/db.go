package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/assentry/assentry/store"
)

// Options configure Open.
type Options struct {
	// DSN is the libpq-style connection string or URL (postgres://user@host:5432/db?sslmode=...).
	DSN string
	// MaxConns caps the pool; zero keeps pgx's default (the larger of 4 and the number of CPUs).
	MaxConns int32
	// Clock is the time source of every expiry check and of the UsedAt/RevokedAt stamps; nil means time.Now.
	// It is passed to each statement as a parameter, so every instance sharing the database must run on
	// synchronised clocks (as they must anyway for the tokens they sign).
	Clock store.Clock
	// Logger receives the backend's messages; nil means slog.Default().
	Logger *slog.Logger
	// ConnectTimeout bounds each attempt to open a connection (TCP and the startup exchange), so that a database
	// that does not answer fails a request with store.ErrUnavailable instead of holding it; zero keeps the DSN's
	// connect_timeout, or DefaultConnectTimeout when it sets none.
	ConnectTimeout time.Duration

	// Observer is told what each read and write took, for the metrics (observe.go); nil: nothing is observed.
	Observer store.Observer
	// ReadOnly opens the database for reading only (`assentry config check`): every session runs with
	// default_transaction_read_only on, so PostgreSQL itself refuses any write, and a database without the
	// schema is not given one: Open fails with ErrNoSchema instead.
	ReadOnly bool

	// dial replaces the dialer (tests count round trips and cut connections with it); nil: pgx's.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// noIdlePing turns off pgx's ping of a connection idle for more than a second (tests count round trips).
	noIdlePing bool
}

// DefaultConnectTimeout is the connect timeout when neither Options nor the DSN sets one.
const DefaultConnectTimeout = 5 * time.Second

// Store is the PostgreSQL backend. It is safe for concurrent use by any number of goroutines and instances.
type Store struct {
	pool   *pgxpool.Pool
	clock  store.Clock
	log    *slog.Logger
	obs    store.Observer // nil: none
	where  string         // the database, as FormatError names it
	closed atomic.Bool

	readOnly bool // Options.ReadOnly: an empty database is refused, not given the schema
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.Migrator = (*Store)(nil)
)

// Open connects to the database and checks its schema: an empty database gets the current schema (the
// Migrator rule that an empty store is stamped with the current format); a schema newer than this build knows
// is refused with a *store.FormatError; an older one opens, and Pending lists what Migrate must run before
// the store may serve.
//
// Every write is acknowledged only after PostgreSQL has committed it with synchronous_commit on (forced for the
// pool's sessions), so a nil error means the write is durable on the server.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.DSN == "" {
		return nil, errors.New("postgres: Options.DSN is required")
	}
	cfg, err := pgxpool.ParseConfig(o.DSN)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DSN: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	switch {
	case o.ConnectTimeout > 0:
		cfg.ConnConfig.ConnectTimeout = o.ConnectTimeout
	case cfg.ConnConfig.ConnectTimeout == 0:
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	if o.dial != nil {
		cfg.ConnConfig.DialFunc = o.dial
	}
	if o.noIdlePing {
		cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	}
	// A server configured with synchronous_commit off would acknowledge writes that a crash loses.
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	if o.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	if o.Observer != nil {
		cfg.ConnConfig.Tracer = readTracer{o.Observer}
	}
	s := &Store{clock: o.Clock, log: o.Logger, obs: o.Observer, where: "database " + cfg.ConnConfig.Database,
		readOnly: o.ReadOnly}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := s.checkFormat(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the pool. Calls after Close return store.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return store.ErrClosed
	}
	s.pool.Close()
	return nil
}

// now is the backend clock's time, at the database's precision (microseconds), in UTC.
func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// Users returns the user store.
func (s *Store) Users() store.UserStore { return userStore{s} }

// Sessions returns the session store.
func (s *Store) Sessions() store.SessionStore { return sessionStore{s} }

// Clients returns the client store.
func (s *Store) Clients() store.ClientStore { return clientStore{s} }

// Consents returns the consent store.
func (s *Store) Consents() store.ConsentStore { return consentStore{s} }

// Grants returns the grant store.
func (s *Store) Grants() store.GrantStore { return grantStore{s} }

// Tokens returns the token store.
func (s *Store) Tokens() store.TokenStore { return tokenStore{s} }

// Codes returns the authorization code store.
func (s *Store) Codes() store.CodeStore { return codeStore{s} }

// DeviceCodes returns the device code store.
func (s *Store) DeviceCodes() store.DeviceCodeStore { return deviceCodeStore{s} }

// Keys returns the key store.
func (s *Store) Keys() store.KeyStore { return keyStore{s} }

// Interactions returns the interaction store.
func (s *Store) Interactions() store.InteractionStore { return interactionStore{s} }

// RevokedClients returns the store of banned registered clients.
func (s *Store) RevokedClients() store.RevokedClientStore { return revokedStore{s} }

// AdminTokens returns the admin API token store.
func (s *Store) AdminTokens() store.AdminTokenStore { return adminTokenStore{s} }

// Writable is nil while the store is open: a database that does not accept writes shows in the failing writes
// themselves (and in a readiness probe's read), not in a local watermark as Badger's full disk does.
func (s *Store) Writable() error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return nil
}
