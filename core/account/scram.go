package account

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/xdg-go/stringprep"
)

// SCRAM hash names, as the PasswordHash prefix spells them ($scram-sha-1$...).
const (
	SCRAMSHA1   = "scram-sha-1"
	SCRAMSHA256 = "scram-sha-256"
)

// MaxSCRAMIterations bounds the iteration count an imported record may carry: verifying costs one PBKDF2 of that
// many rounds at every login until the first one succeeds, so a forged count must not turn logins into a denial
// of service. Prosody's default is 10000 (4096 before 0.12).
const MaxSCRAMIterations = 1 << 20

// SCRAM is an imported SCRAM credential (RFC 5802 §3): what a SCRAM server keeps instead of the password. Assentry
// never answers SCRAM exchanges with it; it checks a typed password against it once, at the user's first login,
// and replaces it with an argon2id hash.
type SCRAM struct {
	Hash       string `json:"hash"` // SCRAMSHA1 or SCRAMSHA256
	Salt       []byte `json:"salt"`
	Iterations int    `json:"iterations"`
	StoredKey  []byte `json:"stored_key"`
	ServerKey  []byte `json:"server_key"`
}

func (c *SCRAM) newHash() (func() hash.Hash, error) {
	switch c.Hash {
	case SCRAMSHA1:
		return sha1.New, nil
	case SCRAMSHA256:
		return sha256.New, nil
	}
	return nil, fmt.Errorf("unknown SCRAM hash %q (want %s or %s)", c.Hash, SCRAMSHA1, SCRAMSHA256)
}

// Validate reports what makes c unusable: an unknown hash, an empty salt, an iteration count out of
// [1, MaxSCRAMIterations], or keys that are not the hash's size.
func (c *SCRAM) Validate() error {
	h, err := c.newHash()
	if err != nil {
		return err
	}
	switch size := h().Size(); {
	case len(c.Salt) == 0:
		return errors.New("SCRAM salt is empty")
	case c.Iterations < 1 || c.Iterations > MaxSCRAMIterations:
		return fmt.Errorf("SCRAM iteration count %d is outside 1..%d", c.Iterations, MaxSCRAMIterations)
	case len(c.StoredKey) != size || len(c.ServerKey) != size:
		return fmt.Errorf("SCRAM stored and server keys must be %d bytes for %s", size, c.Hash)
	}
	return nil
}

// Encode returns the record as a PasswordHash: $scram-sha-1$i=4096$salt$storedkey$serverkey, base64 without
// padding like the argon2id PHC strings beside it.
func (c *SCRAM) Encode() string {
	return fmt.Sprintf("$%s$i=%d$%s$%s$%s", c.Hash, c.Iterations, b64.EncodeToString(c.Salt),
		b64.EncodeToString(c.StoredKey), b64.EncodeToString(c.ServerKey))
}

// isSCRAM reports whether a PasswordHash is a SCRAM record (rather than argon2id).
func isSCRAM(encoded string) bool {
	return strings.HasPrefix(encoded, "$"+SCRAMSHA1+"$") || strings.HasPrefix(encoded, "$"+SCRAMSHA256+"$")
}

var errBadSCRAM = errors.New("scram: malformed record")

func parseSCRAM(s string) (*SCRAM, error) {
	parts := strings.Split(s, "$")
	// "", "scram-sha-1", "i=4096", salt, stored key, server key
	if len(parts) != 6 {
		return nil, errBadSCRAM
	}
	c := &SCRAM{Hash: parts[1]}
	if _, err := fmt.Sscanf(parts[2], "i=%d", &c.Iterations); err != nil {
		return nil, errBadSCRAM
	}
	var err1, err2, err3 error
	c.Salt, err1 = b64.DecodeString(parts[3])
	c.StoredKey, err2 = b64.DecodeString(parts[4])
	c.ServerKey, err3 = b64.DecodeString(parts[5])
	if err := errors.Join(err1, err2, err3); err != nil || c.Validate() != nil {
		return nil, errBadSCRAM
	}
	return c, nil
}

// Verify reports whether password is the one the record was made from. As a SCRAM client would, it prepares the
// password with SASLprep (RFC 4013; RFC 5802 §2.2 Normalize), which Prosody also applies before hashing, then
// derives SaltedPassword = Hi(password, salt, i) (PBKDF2 with HMAC-H, RFC 5802 §2.2), ClientKey = HMAC(SaltedPassword,
// "Client Key"), StoredKey = H(ClientKey) and ServerKey = HMAC(SaltedPassword, "Server Key") (RFC 5802 §3), and
// compares both keys in constant time. A password that SASLprep refuses does not match.
func (c *SCRAM) Verify(password string) bool {
	h, err := c.newHash()
	if err != nil {
		return false
	}
	prepared, err := stringprep.SASLprep.Prepare(password)
	if err != nil {
		prepared = password // still do the work, so a refused password costs what a wrong one does
	}
	salted, kerr := pbkdf2.Key(h, prepared, c.Salt, c.Iterations, h().Size())
	if kerr != nil {
		return false
	}
	clientKey := mac(h, salted, "Client Key")
	sum := h()
	sum.Write(clientKey)
	storedKey := sum.Sum(nil)
	serverKey := mac(h, salted, "Server Key")
	ok := subtle.ConstantTimeCompare(storedKey, c.StoredKey) & subtle.ConstantTimeCompare(serverKey, c.ServerKey)
	return ok == 1 && err == nil
}

func mac(h func() hash.Hash, key []byte, msg string) []byte {
	m := hmac.New(h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
