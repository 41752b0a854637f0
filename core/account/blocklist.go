package account

import (
	"bufio"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"slices"
	"strings"
)

// Blocklist is an operator's list of compromised passwords (NIST SP 800-63B-4 §3.1.1.2: "passwords obtained
// from previous breach corpuses"), held as a sorted set of 64-bit hashes of each entry's blockKey form: eight
// bytes an entry however long the passwords are, about 8 MiB for a million lines where a map of the strings
// takes several times that. Two different passwords share a hash with a probability of about n/2^64 per check
// (one in 10^13 for a million entries): a rare refusal of a good password, never an acceptance of a listed one.
type Blocklist struct {
	seed maphash.Seed // random per process; the hashes are never stored
	sums []uint64     // sorted, no duplicates
}

// maxBlocklistLine bounds a line of the file; a longer one is an error rather than a silent truncation.
const maxBlocklistLine = 64 << 10

// ReadBlocklist reads a blocklist: one password per line (a final "\r" is dropped, empty lines are skipped),
// compared case-insensitively after NFC normalisation.
func ReadBlocklist(r io.Reader) (*Blocklist, error) {
	b := &Blocklist{seed: maphash.MakeSeed()}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxBlocklistLine)
	line := 0
	for sc.Scan() {
		line++
		pw := strings.TrimSuffix(sc.Text(), "\r")
		if pw == "" {
			continue
		}
		b.sums = append(b.sums, b.sum(pw))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	slices.Sort(b.sums)
	b.sums = slices.Clip(slices.Compact(b.sums))
	return b, nil
}

// ReadBlocklistFile reads the blocklist file at path (see ReadBlocklist).
func ReadBlocklistFile(path string) (*Blocklist, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := ReadBlocklist(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Len is the number of distinct entries.
func (b *Blocklist) Len() int {
	if b == nil {
		return 0
	}
	return len(b.sums)
}

// Contains reports whether password is on the list; a nil Blocklist contains nothing.
func (b *Blocklist) Contains(password string) bool {
	if b == nil {
		return false
	}
	_, found := slices.BinarySearch(b.sums, b.sum(password))
	return found
}

func (b *Blocklist) sum(pw string) uint64 { return maphash.String(b.seed, blockKey(pw)) }
