package prosody

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Hash names of Prosody's password_hash option; the option is the host's, not the account's, so the hash is read
// from the size of the stored key instead.
const (
	SHA1   = "SHA-1"
	SHA256 = "SHA-256"
)

// Account is one account of mod_auth_internal_hashed. Current Prosody keeps a SCRAM credential (RFC 5802 §3): the
// salt, the iteration count and the hex of StoredKey and ServerKey, hashed with SHA-1 unless the host sets
// password_hash = "SHA-256". Releases before 0.8 kept the password itself, which Prosody hashes at the next
// login; such an account has Password set instead.
type Account struct {
	Username   string // as Prosody stores it (nodeprep'd local part)
	Hash       string // SHA1 or SHA256; "" with Password
	Salt       []byte
	Iterations int
	StoredKey  []byte
	ServerKey  []byte
	Password   string
	Disabled   bool // Prosody 0.13 and later can disable an account
}

// ParseAccount reads one account file's content. username is the decoded name of the file.
func ParseAccount(username string, src []byte) (*Account, error) {
	t, err := parseChunk(string(src))
	if err != nil {
		return nil, err
	}
	a := &Account{Username: username}
	if v, ok := t["disabled"]; ok {
		if a.Disabled, ok = v.(bool); !ok {
			return nil, errors.New(`"disabled" is not a boolean`)
		}
	}
	if v, ok := t["password"]; ok {
		pw, ok := v.(string)
		if !ok {
			return nil, errors.New(`"password" is not a string`)
		}
		// Prosody treats an empty password as absent and reads the SCRAM fields instead.
		if pw != "" {
			a.Password = pw
			return a, nil
		}
	}
	salt, ok1 := t["salt"].(string)
	count, ok2 := t["iteration_count"].(float64)
	stored, ok3 := t["stored_key"].(string)
	server, ok4 := t["server_key"].(string)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		if _, has := t["stored_key"]; !has && t["salt"] == nil {
			return nil, errors.New("the account has no password (neither a SCRAM credential nor a plain password)")
		}
		return nil, errors.New("salt, iteration_count, stored_key and server_key must be a string, a number, and two hex strings")
	}
	if salt == "" {
		return nil, errors.New("the salt is empty")
	}
	if count < 1 || count > math.MaxInt32 || count != math.Trunc(count) {
		return nil, fmt.Errorf("iteration_count %v is not a positive integer", count)
	}
	a.Salt, a.Iterations = []byte(salt), int(count)
	if a.StoredKey, err = hex.DecodeString(stored); err != nil {
		return nil, errors.New("stored_key is not hex")
	}
	if a.ServerKey, err = hex.DecodeString(server); err != nil {
		return nil, errors.New("server_key is not hex")
	}
	switch {
	case len(a.StoredKey) == 20 && len(a.ServerKey) == 20:
		a.Hash = SHA1
	case len(a.StoredKey) == 32 && len(a.ServerKey) == 32:
		a.Hash = SHA256
	default:
		return nil, fmt.Errorf("stored_key and server_key are %d and %d bytes: neither SHA-1 (20) nor SHA-256 (32)",
			len(a.StoredKey), len(a.ServerKey))
	}
	return a, nil
}

// Entry is one file of an accounts directory: the account, or why it could not be read.
type Entry struct {
	File    string // the file name, relative to the directory
	Account *Account
	Err     error
}

// ReadDir reads every account file (<escaped username>.dat) of a host's accounts directory, which Prosody's file
// storage keeps at <data_path>/<escaped host>/accounts, in the order of their names. An unreadable or malformed
// file is an Entry with Err; only a directory that cannot be listed is an error. Other files are ignored.
func ReadDir(dir string) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, de := range des {
		name := de.Name()
		if de.IsDir() || !strings.HasSuffix(name, ".dat") {
			continue
		}
		e := Entry{File: name}
		username, err := DecodeName(strings.TrimSuffix(name, ".dat"))
		if err == nil {
			var src []byte
			if src, err = readFile(filepath.Join(dir, name)); err == nil {
				e.Account, err = ParseAccount(username, src)
			}
		}
		e.Err = err
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	return io.ReadAll(io.LimitReader(f, maxSize+1))
}

// DecodeName undoes the escaping of Prosody's file storage (util.datamanager): every byte other than an ASCII
// letter or digit is written as "%" and two hex digits; old releases also wrote a space as "+".
func DecodeName(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			if i+3 > len(s) {
				return "", fmt.Errorf("file name %q: bad %% escape", s)
			}
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", fmt.Errorf("file name %q: bad %% escape", s)
			}
			b.WriteByte(byte(n))
			i += 2
		case '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// EncodeName is the inverse of DecodeName, as Prosody writes file and directory names (a host name
// "xmpp.example-1.net" becomes "xmpp%2eexample%2d1%2enet").
func EncodeName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}
