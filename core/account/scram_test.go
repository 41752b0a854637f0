package account

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/assentry/assentry/store/badger/badgertest"
)

// Records made by an independent implementation (Python's hashlib and stringprep,
// cmd/assentry/testdata/prosody/make_accounts.py), as Prosody stores them.
func scramRecord(t *testing.T, hash, salt string, iterations int, stored, server string) *SCRAM {
	t.Helper()
	st, err1 := hex.DecodeString(stored)
	sv, err2 := hex.DecodeString(server)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return &SCRAM{Hash: hash, Salt: []byte(salt), Iterations: iterations, StoredKey: st, ServerKey: sv}
}

func aliceSHA1(t *testing.T) *SCRAM {
	return scramRecord(t, SCRAMSHA1, "3c7d2f0e-6b1a-4c55-9e1f-2a8b9c0d1e2f", 10000,
		"7780ef04525262f2d5e00e0a03b0c8795bcadc26", "21f8b2744cacd698c12f2bf745bc4ba279e4ab3e")
}

func TestSCRAMVerify(t *testing.T) {
	carol := scramRecord(t, SCRAMSHA256, "9f0e8d7c-6b5a-4321-8fed-cba987654321", 10000,
		"4f42d9722871e5254e01e2c7f49fa5337b05fb17d15df4f3a119f4b333ffce24",
		"50d59023c2723c48183afa19732fcc9943bd8d9b10dab6ceadba595c3357a5d9")
	emile := scramRecord(t, SCRAMSHA1, "e-salt", 4096,
		"f58a5dd8ec3557e1f401a57ba003b90d348a7a33", "9cbde1b49caa334aa68ce7692eeacc0fd761164e")
	tests := []struct {
		name string
		rec  *SCRAM
		pw   string
		want bool
	}{
		{"SHA-1", aliceSHA1(t), "alice password", true},
		{"SHA-1, wrong", aliceSHA1(t), "Alice password", false},
		{"SHA-256", carol, "carol password", true},
		{"SHA-256, wrong", carol, "carol password ", false},
		// SASLprep: a no-break space maps to a space, a fullwidth letter to its ASCII form (NFKC).
		{"SASLprep, as set", emile, "\u00a0mot de passe \uff45", true},
		{"SASLprep, normalised form", emile, " mot de passe e", true},
		{"SASLprep, a soft hyphen maps to nothing", emile, " mot de\u00ad passe e", true},
		{"SASLprep refuses a control character", emile, " mot de passe e\u0007", false},
		{"empty", aliceSHA1(t), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rec.Verify(tt.pw); got != tt.want {
				t.Fatalf("Verify(%q) = %v, want %v", tt.pw, got, tt.want)
			}
			// The stored form verifies the same way.
			back, err := parseSCRAM(tt.rec.Encode())
			if err != nil || back.Verify(tt.pw) != tt.want {
				t.Fatalf("round trip through %q: %v", tt.rec.Encode(), err)
			}
		})
	}
}

func TestSCRAMValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		mod  func(*SCRAM)
		want string
	}{
		{"unknown hash", func(c *SCRAM) { c.Hash = "scram-md5" }, "unknown SCRAM hash"},
		{"empty salt", func(c *SCRAM) { c.Salt = nil }, "salt"},
		{"no iterations", func(c *SCRAM) { c.Iterations = 0 }, "iteration count"},
		{"too many iterations", func(c *SCRAM) { c.Iterations = MaxSCRAMIterations + 1 }, "iteration count"},
		{"short key", func(c *SCRAM) { c.StoredKey = c.StoredKey[:19] }, "20 bytes"},
		{"SHA-256 with SHA-1 keys", func(c *SCRAM) { c.Hash = SCRAMSHA256 }, "32 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := aliceSHA1(t)
			tt.mod(c)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestImportSCRAM: an imported user logs in with the password it had, the SCRAM record is replaced by argon2id in
// that login, and the new hash is what later logins check. A wrong password is a normal failed login and changes
// nothing.
func TestImportSCRAM(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	s := newService(t, st, testParams)
	u, err := s.Import(ctx, Imported{Username: "Alice", SCRAM: aliceSHA1(t)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "alice" || len(u.Roles) != 1 || u.Roles[0] != "user" || PasswordScheme(u.PasswordHash) != SCRAMSHA1 {
		t.Fatalf("imported %+v", u)
	}
	if _, err := s.Authenticate(ctx, "alice", "wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if got, _ := s.Lookup(ctx, "alice"); got.PasswordHash != u.PasswordHash {
		t.Fatal("a failed login changed the record")
	}
	if _, err := s.Authenticate(ctx, "alice", "alice password"); err != nil {
		t.Fatalf("first login: %v", err)
	}
	after, _ := s.Lookup(ctx, "alice")
	if PasswordScheme(after.PasswordHash) != "argon2id" || s.hasher.NeedsRehash(after.PasswordHash) {
		t.Fatalf("not rehashed at the first login: %s", after.PasswordHash)
	}
	if _, err := s.Authenticate(ctx, "alice", "alice password"); err != nil {
		t.Fatalf("second login: %v", err)
	}
	if _, err := s.Authenticate(ctx, "alice", "wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password after the rehash: %v", err)
	}

	// Taken names are never overwritten, in a dry run or not; a dry run writes nothing.
	if _, err := s.Import(ctx, Imported{Username: "ALICE", Password: "x"}, false); !errors.Is(err, ErrExists) {
		t.Fatalf("taken name: %v", err)
	}
	if _, err := s.Import(ctx, Imported{Username: "alice", Password: "x"}, true); !errors.Is(err, ErrExists) {
		t.Fatalf("taken name, dry run: %v", err)
	}
	if _, err := s.Import(ctx, Imported{Username: "bob", SCRAM: aliceSHA1(t)}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a dry run created a user: %v", err)
	}
	for _, in := range []Imported{
		{Username: "snow\u2603man", Password: "x"},
		{Username: "nopassword"},
		{Username: "both", Password: "x", SCRAM: aliceSHA1(t)},
		{Username: "bad", SCRAM: &SCRAM{Hash: SCRAMSHA1}},
	} {
		var ie *InvalidError
		if _, err := s.Import(ctx, in, false); !errors.As(err, &ie) {
			t.Errorf("Import(%+v): %v, want an InvalidError", in, err)
		}
	}
}

// TestImportPlainAndDisabled: a plain password is hashed at import (never kept); a disabled account stays
// disabled and its first right password is still ErrDisabled.
func TestImportPlainAndDisabled(t *testing.T) {
	ctx := context.Background()
	st := badgertest.New(t, nil)
	s := newService(t, st, testParams)
	u, err := s.Import(ctx, Imported{Username: "dave", Password: `dave's "plain" password`}, false)
	if err != nil {
		t.Fatal(err)
	}
	if PasswordScheme(u.PasswordHash) != "argon2id" || strings.Contains(u.PasswordHash, "plain") {
		t.Fatalf("plain password kept as %q", u.PasswordHash)
	}
	if _, err := s.Authenticate(ctx, "dave", `dave's "plain" password`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, Imported{Username: "frank", SCRAM: aliceSHA1(t), Disabled: true}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "frank", "alice password"); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled import: %v", err)
	}
	if _, err := s.Authenticate(ctx, "frank", "wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("disabled import, wrong password: %v", err)
	}
}
