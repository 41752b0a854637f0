package token

import (
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/store"
)

// Defaults of Options.
const (
	// DefaultRotationInterval is key_rotation_interval's default: a new key every 30 days.
	DefaultRotationInterval = 720 * time.Hour
	// DefaultPublishAhead covers the key cache refresh (DefaultRefreshInterval), a JWKS cache max-age of 10
	// minutes (JWKSMaxAge) and a margin of 4 minutes.
	DefaultPublishAhead = 15 * time.Minute
	// DefaultRefreshInterval is how often, at most, the key cache is read again from the store: with the default
	// PublishAhead, one minute; with a shorter PublishAhead, a quarter of it.
	DefaultRefreshInterval = time.Minute
	// MaxJWKSMaxAge caps JWKSMaxAge: relying parties see a retired key disappear, and a kid they do not know
	// appear, within ten minutes at most.
	MaxJWKSMaxAge = 10 * time.Minute
	// DefaultMaxTokenTTL is id_token_ttl's default (1h) plus 5 minutes for clock skew.
	DefaultMaxTokenTTL = time.Hour + 5*time.Minute
	// DefaultRSABits is the RSA modulus size of new RS256 keys.
	DefaultRSABits = 2048
)

// Options configures a Manager. Zero values take the defaults above.
type Options struct {
	// Host is the host id the keys belong to (the store key prefix).
	Host string
	// Keys is the host's key store.
	Keys store.KeyStore
	// KEK is the key_encryption_key (KEKSize bytes) that seals private keys at rest. Nil stores them in plaintext
	// (the caller warns about it); keys stored in plaintext stay readable after a KEK is configured, and Ensure
	// then seals them.
	KEK []byte
	// Algorithms are the algorithms to keep a signing key for; default SupportedAlgorithms(). The keys of an
	// algorithm dropped from the list are retired by the next Ensure or Tick.
	Algorithms []string
	// RotationInterval is how long after its creation a key gets a successor; default DefaultRotationInterval.
	RotationInterval time.Duration
	// PublishAhead is how long a new key is in the store, and so in the JWKS, before it signs. Within it, every
	// process sharing the store reads the key (RefreshInterval), and then every relying party that cached one of
	// their JWKS documents fetches it again (JWKSMaxAge): so every instance publishes the next key before any
	// signs with it, and every client knows it before it sees a token signed with it.
	PublishAhead time.Duration
	// RefreshInterval is how often the key cache is read again from the store, so that keys another process wrote
	// (another instance, `assentry keys rotate` without a server) are known here; default DefaultRefreshInterval,
	// or a quarter of PublishAhead when that is shorter. It must be at most half of PublishAhead: the other half
	// is the relying parties' JWKS cache (JWKSMaxAge) and a margin.
	RefreshInterval time.Duration
	// Leases, when the store is shared by several processes, makes every key write (Ensure's first keys, Tick's
	// successors and retirements, Rotate) happen under the host's lease "keys:<Host>": one process writes at a
	// time, and the others reload the keys it wrote instead of creating their own. Nil: the store has one process,
	// and a mutex is enough.
	Leases store.Leases
	// Holder is this Manager's name as a lease holder; default the machine's name, the process id and a random
	// part (what an operator sees in assentry_leases). Two Managers must never share it.
	Holder string
	// MaxTokenTTL is how long a retired key stays published: the longest lifetime of a token it signed
	// (id_token_ttl) plus a margin.
	MaxTokenTTL time.Duration
	// RSABits is the modulus size of new RS256 keys; default 2048, at least 2048.
	RSABits int
	// Now is the clock (default time.Now); the store's clock should be the same.
	Now func() time.Time
	// Elapsed is real time elapsed since an arbitrary start, which a change of the clock does not move (default:
	// the monotonic clock). Relying parties cache the JWKS for a span of real time, so a successor's publication
	// lead is also counted on it: a clock jumping forward must not start a key that was published a minute ago.
	// With Now injected and Elapsed nil, time elapsed on Now stands in (tests that move only their clock).
	Elapsed func() time.Duration
	// Log receives key lifecycle events; default discards.
	Log *slog.Logger
	// Events receives a key.rotated event for every key created; nil drops them.
	Events *events.Emitter
}

// Manager owns the signing keys of one host: it creates, rotates and retires them in the store, signs and verifies
// JWTs with them, and publishes their public halves. It is safe for concurrent use.
type Manager struct {
	host     string
	keys     store.KeyStore
	kek      []byte
	algs     []string
	rotation time.Duration
	ahead    time.Duration
	every    time.Duration // the key cache's refresh interval
	maxTTL   time.Duration
	rsaBits  int
	now      func() time.Time
	elapsed  func() time.Duration
	log      *slog.Logger
	events   *events.Emitter
	generate func(alg string) (crypto.Signer, error) // new private keys; tests inject fixed ones
	leases   store.Leases
	holder   string

	writeMu sync.Mutex             // serialises Ensure, Tick and Rotate within this process
	leaseAt time.Time              // when the lease was last taken or renewed, on this process's monotonic clock (under writeMu)
	loadMu  sync.Mutex             // one cache refresh at a time
	cache   atomic.Pointer[keySet] // parsed keys; Sign, Parse and JWKS read it without locking
	// lastUnknown is the Elapsed reading of the last reload for a kid the cache did not hold (Parse), so that
	// tokens naming made-up kids cost at most one store read per unknownEvery.
	lastUnknown atomic.Int64
}

// New checks opts and returns a Manager. It does no I/O: call Ensure before serving.
func New(opts Options) (*Manager, error) {
	m := &Manager{
		host: opts.Host, keys: opts.Keys, kek: slices.Clone(opts.KEK), algs: slices.Clone(opts.Algorithms),
		rotation: opts.RotationInterval, ahead: opts.PublishAhead, every: opts.RefreshInterval, maxTTL: opts.MaxTokenTTL,
		rsaBits: opts.RSABits, now: opts.Now, elapsed: opts.Elapsed, log: opts.Log, events: opts.Events,
		leases: opts.Leases, holder: opts.Holder,
	}
	m.lastUnknown.Store(math.MinInt64)
	m.defaults()
	if err := m.validate(); err != nil {
		return nil, err
	}
	m.generate = func(alg string) (crypto.Signer, error) { return generateKey(alg, m.rsaBits) }
	return m, nil
}

func (m *Manager) defaults() {
	if len(m.algs) == 0 {
		m.algs = SupportedAlgorithms()
	}
	m.rotation = orDefault(m.rotation, DefaultRotationInterval)
	m.ahead = orDefault(m.ahead, DefaultPublishAhead)
	m.every = orDefault(m.every, min(DefaultRefreshInterval, m.ahead/4))
	m.holder = orDefault(m.holder, defaultHolder())
	m.maxTTL = orDefault(m.maxTTL, DefaultMaxTokenTTL)
	m.rsaBits = orDefault(m.rsaBits, DefaultRSABits)
	if len(m.kek) == 0 {
		m.kek = nil
	}
	switch {
	case m.elapsed != nil:
	case m.now == nil:
		start := time.Now() // carries a monotonic reading, which time.Since uses
		m.elapsed = func() time.Duration { return time.Since(start) }
	default:
		now, start := m.now, m.now()
		m.elapsed = func() time.Duration { return now().Sub(start) }
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
}

// defaultHolder names this Manager as a lease holder: where it runs, for the operator, and a random part, so
// that no two Managers (two generations of one process after a reload, two processes) share it.
func defaultHolder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), rand.Text()[:10])
}

// orDefault returns v, or def when v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// validate reports every problem of the options at once.
func (m *Manager) validate() error {
	var errs []error
	if m.host == "" {
		errs = append(errs, errors.New("token: Host is required"))
	}
	if m.keys == nil {
		errs = append(errs, errors.New("token: Keys is required"))
	}
	if m.kek != nil && len(m.kek) != KEKSize {
		errs = append(errs, fmt.Errorf("token: KEK must be %d bytes, not %d", KEKSize, len(m.kek)))
	}
	for i, alg := range m.algs {
		if method(alg) == nil {
			errs = append(errs, fmt.Errorf("%w %q (supported: %v)", ErrUnknownAlgorithm, alg, SupportedAlgorithms()))
		} else if slices.Contains(m.algs[:i], alg) {
			errs = append(errs, fmt.Errorf("token: algorithm %s listed twice", alg))
		}
	}
	switch {
	case m.ahead < 0:
		errs = append(errs, fmt.Errorf("token: PublishAhead %v is negative", m.ahead))
	case m.every <= 0:
		errs = append(errs, fmt.Errorf("token: RefreshInterval %v must be positive", m.every))
	case 2*m.every > m.ahead:
		// A key another process creates must reach this one's cache, then relying parties' JWKS caches, before
		// it signs: the refresh may take half of the lead, JWKSMaxAge takes most of the rest.
		errs = append(errs, fmt.Errorf("token: RefreshInterval %v is more than half of PublishAhead %v (the key "+
			"cache refresh must be well within PublishAhead, so every instance publishes a key before any signs with it)",
			m.every, m.ahead))
	}
	if m.rotation <= m.ahead {
		errs = append(errs, fmt.Errorf("token: RotationInterval %v must be longer than PublishAhead %v", m.rotation, m.ahead))
	}
	if m.maxTTL < 0 {
		errs = append(errs, fmt.Errorf("token: MaxTokenTTL %v is negative", m.maxTTL))
	}
	if m.rsaBits < minRSABits {
		errs = append(errs, fmt.Errorf("token: RSABits %d is below %d", m.rsaBits, minRSABits))
	}
	return errors.Join(errs...)
}

// algRank orders algorithms as Options.Algorithms lists them; dropped ones come last, in a fixed order.
func (m *Manager) algRank(alg string) int {
	if i := slices.Index(m.algs, alg); i >= 0 {
		return i
	}
	return len(m.algs) + slices.Index(SupportedAlgorithms(), alg) + 1
}

// JWKSMaxAge is how long relying parties may cache the JWKS (the Cache-Control max-age of /oauth2/jwks): at
// most MaxJWKSMaxAge, and three quarters of what PublishAhead leaves after RefreshInterval, so that
// RefreshInterval + JWKSMaxAge < PublishAhead. A key any process creates is then in this process's JWKS within
// RefreshInterval, and in every cached copy of it JWKSMaxAge later, before it signs (with the rest as a margin
// for slow requests and clocks a little apart). Whole seconds, as the header writes it.
func (m *Manager) JWKSMaxAge() time.Duration {
	return min(MaxJWKSMaxAge, (m.ahead-m.every)*3/4).Truncate(time.Second)
}

// RefreshInterval is how often the key cache is read again from the store (Options.RefreshInterval).
func (m *Manager) RefreshInterval() time.Duration { return m.every }
