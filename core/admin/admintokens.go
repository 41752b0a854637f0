package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/assentry/assentry/store"
)

// Admin token scopes: read allows every GET of the admin API, write everything.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// AdminTokenPrefix starts every admin token, so a leaked one is easy to recognise and to scan for, like the
// at_/rt_ prefixes of the OAuth tokens (docs/architecture.md §3).
const AdminTokenPrefix = "asa_"

// AdminTokenArgs are the arguments of the admin-token operations: create uses every field, revoke the name.
type AdminTokenArgs struct {
	Name  string `json:"name"`
	Scope string `json:"scope,omitempty"`
	// Expires is the token's lifetime: a number of days ("90d") or a Go duration ("12h"); empty: it never
	// expires.
	Expires string `json:"expires,omitempty"`
}

// AdminTokenView is what the operator sees of a token (never its value or digest).
type AdminTokenView struct {
	Name       string    `json:"name"`
	Scope      string    `json:"scope"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// AdminTokenCreated is the answer of admin-token.create: the token's value, shown this once.
type AdminTokenCreated struct {
	AdminTokenView
	Token string `json:"token"`
}

var tokenName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func viewAdminToken(t *store.AdminToken) AdminTokenView {
	return AdminTokenView{Name: t.Name, Scope: t.Scope, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt}
}

func (s *Services) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Services) adminTokens() (store.AdminTokenStore, error) {
	if s.AdminTokens == nil {
		return nil, &Error{Kind: KindInternal, Message: "admin tokens are not available in this setup"}
	}
	return s.AdminTokens, nil
}

// AdminTokenDigest is the store id of a token value: its hex SHA-256. A plain hash is enough, unlike for a
// password: the value carries 256 random bits, so no dictionary or brute force can invert the digest, and a
// fast hash keeps every API request cheap. A stolen copy of the store therefore yields no usable token.
func AdminTokenDigest(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// parseLifetime reads "90d" or a Go duration; it must be positive.
func parseLifetime(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 || d > 100*365*24*time.Hour {
		return 0, &Error{Kind: KindInvalid, Message: fmt.Sprintf("expires %q: want a positive number of days (90d) or a duration (12h)", s)}
	}
	return d, nil
}

// adminTokenCreate makes a token of 256 random bits with the asa_ prefix and stores its digest.
func adminTokenCreate(ctx context.Context, s *Services, raw json.RawMessage) (any, error) {
	var a AdminTokenArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	st, err := s.adminTokens()
	if err != nil {
		return nil, err
	}
	if !tokenName.MatchString(a.Name) {
		return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("name %q: want 1 to 64 letters, digits, '.', '_' or '-'", a.Name)}
	}
	if a.Scope != ScopeRead && a.Scope != ScopeWrite {
		return nil, &Error{Kind: KindInvalid, Message: fmt.Sprintf("scope %q: want read or write", a.Scope)}
	}
	now := s.now().UTC().Truncate(time.Second)
	t := &store.AdminToken{Name: a.Name, Scope: a.Scope, CreatedAt: now}
	if a.Expires != "" {
		d, err := parseLifetime(a.Expires)
		if err != nil {
			return nil, err
		}
		t.ExpiresAt = now.Add(d)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	value := AdminTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	t.ID = AdminTokenDigest(value)
	if err := st.Create(ctx, t); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, &Error{Kind: KindConflict, Message: fmt.Sprintf("an admin token named %q exists", a.Name)}
		}
		return nil, err
	}
	return AdminTokenCreated{AdminTokenView: viewAdminToken(t), Token: value}, nil
}

func adminTokenList(ctx context.Context, s *Services, _ json.RawMessage) (any, error) {
	st, err := s.adminTokens()
	if err != nil {
		return nil, err
	}
	ts, err := st.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]AdminTokenView, 0, len(ts))
	for _, t := range ts {
		out = append(out, viewAdminToken(t))
	}
	return out, nil
}

func adminTokenRevoke(ctx context.Context, s *Services, raw json.RawMessage) (any, error) {
	var a AdminTokenArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	st, err := s.adminTokens()
	if err != nil {
		return nil, err
	}
	if err := st.Revoke(ctx, a.Name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, &Error{Kind: KindNotFound, Message: fmt.Sprintf("no admin token named %q", a.Name)}
		}
		return nil, err
	}
	return struct{}{}, nil
}

// ErrBadAdminToken: the presented value is no live admin token (malformed, unknown, expired or revoked). The
// API answers all of these alike, 401, so a caller learns nothing about which.
var ErrBadAdminToken = errors.New("invalid admin token")

// AuthenticateAdminToken returns the live token whose value this is. The lookup is by digest, so no secret is
// ever compared byte by byte: a timing difference could only reveal a digest's prefix, which is worthless
// without a preimage of 256 random bits. Other errors (a closed or failing store) come back as they are.
func (s *Services) AuthenticateAdminToken(ctx context.Context, value string) (*store.AdminToken, error) {
	if s.AdminTokens == nil || !strings.HasPrefix(value, AdminTokenPrefix) || len(value) > 200 {
		return nil, ErrBadAdminToken
	}
	t, err := s.AdminTokens.Get(ctx, AdminTokenDigest(value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBadAdminToken
	}
	return t, err
}
