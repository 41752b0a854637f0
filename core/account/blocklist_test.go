package account

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReadBlocklist(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		wantLen int
		in, out []string
	}{
		{"lines, CRLF, blank lines, duplicates", "one-password\r\nTwo Password\n\nTWO PASSWORD\nthree", 3,
			[]string{"one-password", "ONE-PASSWORD", "two password", "three"}, []string{"one", "two", "three-password"}},
		{"NFC: a decomposed entry matches a composed password", "re\u0301sume\u0301 2024\n", 1,
			[]string{"r\u00e9sum\u00e9 2024", "R\u00c9SUM\u00c9 2024"}, []string{"resume 2024"}},
		{"spaces are part of the entry", " padded \n", 1, []string{" padded "}, []string{"padded"}},
		{"empty file", "", 0, nil, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ReadBlocklist(strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if b.Len() != tt.wantLen {
				t.Fatalf("Len = %d, want %d", b.Len(), tt.wantLen)
			}
			for _, pw := range tt.in {
				if !b.Contains(pw) {
					t.Errorf("%q not found", pw)
				}
			}
			for _, pw := range tt.out {
				if b.Contains(pw) {
					t.Errorf("%q found", pw)
				}
			}
		})
	}
}

func TestReadBlocklistErrors(t *testing.T) {
	long := strings.Repeat("x", maxBlocklistLine+1)
	if _, err := ReadBlocklist(strings.NewReader("ok\n" + long + "\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("a line over the limit: err = %v, want one naming line 2", err)
	}
	if _, err := ReadBlocklistFile(filepath.Join(t.TempDir(), "missing.txt")); !os.IsNotExist(err) {
		t.Fatalf("missing file: err = %v, want not-exist", err)
	}
	var nilList *Blocklist
	if nilList.Contains("anything") || nilList.Len() != 0 {
		t.Fatal("a nil blocklist contains something")
	}
}

// BenchmarkReadBlocklist1M reads a million distinct 12-character passwords and reports the heap the loaded list
// keeps (retained-bytes and bytes/entry): the memory a large compromised-password file costs a host.
func BenchmarkReadBlocklist1M(b *testing.B) {
	const n = 1_000_000
	var file bytes.Buffer
	for i := range n {
		fmt.Fprintf(&file, "pw-%09d\n", i)
	}
	data := file.Bytes()
	var retained uint64
	for b.Loop() {
		before := heapInUse()
		bl, err := ReadBlocklist(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		retained = heapInUse() - before
		if bl.Len() != n || !bl.Contains("PW-000000042") {
			b.Fatalf("Len = %d", bl.Len())
		}
		runtime.KeepAlive(bl)
	}
	b.ReportMetric(float64(retained), "retained-bytes")
	b.ReportMetric(float64(retained)/n, "bytes/entry")
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func BenchmarkPasswordPolicyCheck(b *testing.B) {
	bl, err := ReadBlocklist(strings.NewReader("first\nsecond\n"))
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewPasswordPolicy(DefaultMinPasswordLength, DefaultMaxPasswordLength, bl)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := p.Check("purple giraffes eat quietly", "alice", "auth.example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
