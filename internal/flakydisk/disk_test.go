package flakydisk

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPowerCut: a file synced before the cut survives it, a file written without a sync does not (its data
// was in the page cache), and a file written after the cut, synced or not, does not either. The writes come
// from a shell, another process than the one serving the disk.
func TestPowerCut(t *testing.T) {
	if why := Unavailable(); why != "" {
		t.Skipf("flakydisk test: %s", why)
	}
	d, err := New(t.TempDir(), 64<<20)
	if errors.Is(err, ErrRefused) {
		t.Skipf("flakydisk test: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	sh := func(script string) {
		t.Helper()
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = d.Path()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
	}
	sh("echo synced > synced && sync synced && echo unsynced > unsynced")
	before := d.Stats()
	st := d.Cut()
	sh("echo late > late && sync late")
	if st.Flushes == 0 || st.Writes == 0 || before != st {
		t.Fatalf("before the cut: %+v (then %+v); want writes and flushes", before, st)
	}
	dir, err := d.Survivor()
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "synced")); err != nil || string(b) != "synced\n" {
		t.Errorf("the synced file after the cut: %q %v", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "unsynced")); err == nil && len(b) > 0 {
		t.Errorf("the file written without a sync survived the cut with %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "late")); err == nil {
		t.Errorf("a file written after the cut is there")
	}
	t.Logf("flakydisk test ran: %+v", d.Stats())
}

// TestServerSemantics: the FUSE server's model of a disk with a volatile cache, without the kernel: reads see
// every write, the platter only flushed ones, and the cut loses the unflushed pages and every later write.
func TestServerSemantics(t *testing.T) {
	img, err := os.Create(filepath.Join(t.TempDir(), "img"))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	if err := img.Truncate(4 * pageSize); err != nil {
		t.Fatal(err)
	}
	s := &server{img: img, size: 4 * pageSize, pending: map[int64][]byte{}}
	platter := func(off int64, n int) string {
		b := make([]byte, n)
		if _, err := img.ReadAt(b, off); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// A write across a page boundary.
	must(s.write(pageSize-2, []byte("abcd")))
	if got := string(s.read(pageSize-2, 4)); got != "abcd" {
		t.Fatalf("read after write: %q", got)
	}
	if got := platter(pageSize-2, 4); got != "\x00\x00\x00\x00" {
		t.Fatalf("an unflushed write reached the platter: %q", got)
	}
	must(s.flush())
	if got := platter(pageSize-2, 4); got != "abcd" {
		t.Fatalf("a flushed write is not on the platter: %q", got)
	}
	must(s.write(10, []byte("lost")))
	st := s.powerCut()
	must(s.write(3*pageSize, []byte("late")))
	must(s.flush())
	if st.Lost != 1 || st.Flushes != 1 || st.Flushed != 2 || st.Writes != 2 {
		t.Fatalf("stats at the cut: %+v", st)
	}
	if got := platter(10, 4) + platter(3*pageSize, 4); got != "\x00\x00\x00\x00\x00\x00\x00\x00" {
		t.Fatalf("the platter after the cut: %q", got)
	}
	if got := platter(pageSize-2, 4); got != "abcd" {
		t.Fatalf("the flushed write after the cut: %q", got)
	}
}
