package badger_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger"
)

// TestRestoreRevivesRotatedRefreshTokens shows the hole a restore opens in refresh token reuse detection, and
// that EndRefreshChains closes it: a refresh token rotated after the backup is unused again in the restored
// store (and its successor unknown), so it rotates once more without anything noticing; after
// EndRefreshChains it is refused, while a chain without refresh tokens is left alone.
func TestRestoreRevivesRotatedRefreshTokens(t *testing.T) {
	ctx := t.Context()
	s := open(t, t.TempDir(), nil)
	defer s.Close()
	now := time.Now()
	tok := func(id, grant string, kind store.TokenKind) *store.Token {
		return &store.Token{ID: id, Host: "h", Kind: kind, GrantID: grant, ClientID: "c", UserID: "u", Scopes: []string{"offline_access"},
			IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	g := &store.Grant{ID: "chain", Host: "h", UserID: "u", ClientID: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.Grants().Create(ctx, g, tok("at1", "chain", store.AccessToken), tok("rt1", "chain", store.RefreshToken)); err != nil {
		t.Fatal(err)
	}
	if err := issueCC(ctx, s, "cc"); err != nil { // a chain with an access token only
		t.Fatal(err)
	}
	path, _ := backupFile(t, s)
	// After the backup, rt1 is rotated: presenting it again is now a detected reuse.
	if _, err := s.Tokens().Rotate(ctx, "h", "rt1", tok("rt2", "chain", store.RefreshToken)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tokens().Rotate(ctx, "h", "rt1"); !errors.Is(err, store.ErrAlreadyUsed) {
		t.Fatalf("reuse before the restore: %v, want ErrAlreadyUsed", err)
	}

	restore := func() *badger.Store {
		dir := filepath.Join(t.TempDir(), "restored")
		if _, err := badger.Restore(ctx, path, dir, quiet); err != nil {
			t.Fatal(err)
		}
		return open(t, dir, nil)
	}
	r := restore()
	if _, err := r.Tokens().Rotate(ctx, "h", "rt1", tok("rt3", "chain", store.RefreshToken)); err != nil {
		t.Fatalf("the hole: %v; the restored store was expected to rotate rt1 again", err)
	}
	if _, err := r.Tokens().Get(ctx, "h", "rt2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rt2 after the restore: %v, want unknown", err)
	}
	r.Close()

	r = restore()
	defer r.Close()
	n, err := r.EndRefreshChains(ctx)
	if err != nil || n != 1 {
		t.Fatalf("EndRefreshChains: %d, %v; want the one chain holding a refresh token", n, err)
	}
	if _, err := r.Tokens().Rotate(ctx, "h", "rt1"); !errors.Is(err, store.ErrRevoked) {
		t.Fatalf("rt1 after EndRefreshChains: %v, want ErrRevoked", err)
	}
	if _, err := r.Tokens().Get(ctx, "h", "cc"); err != nil {
		t.Fatalf("the client credentials token after EndRefreshChains: %v", err)
	}
	if n, err := r.EndRefreshChains(ctx); err != nil || n != 0 {
		t.Fatalf("second EndRefreshChains: %d, %v; want nothing left", n, err)
	}
}
