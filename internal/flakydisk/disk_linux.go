//go:build linux

package flakydisk

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Unavailable says what this machine lacks to run a Disk, or "" when it has everything.
func Unavailable() string {
	var missing []string
	if uid := os.Geteuid(); uid != 0 {
		missing = append(missing, fmt.Sprintf("root (mounts and loop devices; running as uid %d)", uid))
	}
	if f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0); err != nil {
		missing = append(missing, fmt.Sprintf("/dev/fuse (%v)", err))
	} else {
		f.Close()
	}
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		missing = append(missing, "loop devices (/dev/loop-control)")
	}
	fs, _ := os.ReadFile("/proc/filesystems")
	for _, want := range []string{"fuse", "ext4"} {
		if !hasFilesystem(fs, want) {
			missing = append(missing, want+" in /proc/filesystems")
		}
	}
	for _, tool := range []string{"losetup", "mkfs.ext4"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "missing " + strings.Join(missing, ", ")
}

func hasFilesystem(list []byte, name string) bool {
	for _, line := range strings.Split(string(list), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[len(f)-1] == name {
			return true
		}
	}
	return false
}

// ErrRefused wraps a setup step the kernel refused for lack of privilege (a container without CAP_SYS_ADMIN):
// the machine cannot run a Disk, which is no failure of the code under test.
var ErrRefused = errors.New("flakydisk: refused by the kernel")

// Disk is an ext4 filesystem whose unflushed writes a power cut loses (see the package documentation).
type Disk struct {
	dir     string
	image   string // the platter
	fuseDir string // the FUSE mount holding fileName
	mnt     string // where the filesystem is mounted for the writer
	loop    string // the loop device on the FUSE file
	fd      int    // /dev/fuse
	srv     *server
	served  chan error

	check     string // where Survivor mounts the image
	checkLoop string
	fuseUp    bool
	mounted   bool
	surviving bool
}

// New makes a disk of size bytes under dir (which must be empty and stay until Close) and mounts its
// filesystem at Path.
func New(dir string, size int64) (d *Disk, err error) {
	d = &Disk{dir: dir, image: filepath.Join(dir, "disk.img"), fuseDir: filepath.Join(dir, "fuse"),
		mnt: filepath.Join(dir, "mnt"), check: filepath.Join(dir, "survivor"), fd: -1}
	defer func() {
		if err != nil {
			_ = d.Close()
		}
	}()
	for _, p := range []string{d.fuseDir, d.mnt, d.check} {
		if err := os.Mkdir(p, 0o700); err != nil {
			return nil, err
		}
	}
	img, err := os.OpenFile(d.image, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if err := img.Truncate(size); err != nil {
		img.Close()
		return nil, err
	}
	// No discard (the disk has none) and no lazy initialisation, which would write in the background.
	if err := run("mkfs.ext4", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0", d.image); err != nil {
		img.Close()
		return nil, err
	}
	d.srv = &server{img: img, size: size, pending: map[int64][]byte{}}
	d.fd, err = syscall.Open("/dev/fuse", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/fuse: %w", err)
	}
	d.srv.fd = d.fd
	opts := fmt.Sprintf("fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", d.fd)
	if err := syscall.Mount("flakydisk", d.fuseDir, "fuse", syscall.MS_NOSUID|syscall.MS_NODEV, opts); err != nil {
		return nil, mountErr("mount the FUSE filesystem", err)
	}
	d.fuseUp = true
	d.served = make(chan error, 1)
	go func() { d.served <- d.srv.serve() }()
	out, err := output("losetup", "--find", "--show", filepath.Join(d.fuseDir, fileName))
	if err != nil {
		return nil, fmt.Errorf("%w: a loop device on the FUSE file: %v", ErrRefused, err)
	}
	d.loop = out
	if err := syscall.Mount(d.loop, d.mnt, "ext4", 0, ""); err != nil {
		return nil, mountErr("mount ext4 on the loop device", err)
	}
	d.mounted = true
	return d, nil
}

func mountErr(what string, err error) error {
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("%w: %s: %v", ErrRefused, what, err)
	}
	return fmt.Errorf("flakydisk: %s: %w", what, err)
}

// Path is where the filesystem is mounted.
func (d *Disk) Path() string { return d.mnt }

// Cut cuts the power: the writes not flushed yet are lost, and so is every later one. Whatever writes to the
// disk should be killed right after; then Survivor shows what is left.
func (d *Disk) Cut() Stats { return d.srv.powerCut() }

// Stats returns the disk's counters so far.
func (d *Disk) Stats() Stats {
	d.srv.mu.Lock()
	defer d.srv.mu.Unlock()
	return d.srv.stats
}

// Survivor unmounts the filesystem (its last writes go nowhere), takes the FUSE filesystem down and mounts the
// image as the cut left it, like a machine rebooting after a power loss: ext4 replays its journal. It returns
// the mount point. Nothing may still use Path.
func (d *Disk) Survivor() (string, error) {
	if !d.srv.cutDone() {
		return "", errors.New("flakydisk: Survivor before Cut")
	}
	if err := d.teardown(); err != nil {
		return "", err
	}
	out, err := output("losetup", "--find", "--show", d.image)
	if err != nil {
		return "", err
	}
	d.checkLoop = out
	if err := syscall.Mount(d.checkLoop, d.check, "ext4", 0, ""); err != nil {
		return "", fmt.Errorf("flakydisk: mount the surviving image: %w", err)
	}
	d.surviving = true
	return d.check, nil
}

// teardown unmounts the filesystem, detaches its loop device and unmounts the FUSE filesystem.
func (d *Disk) teardown() error {
	var errs []error
	if d.mounted {
		if err := unmount(d.mnt); err != nil {
			errs = append(errs, err)
		} else {
			d.mounted = false
		}
	}
	if d.loop != "" {
		if err := run("losetup", "--detach", d.loop); err != nil {
			errs = append(errs, err)
		} else {
			d.loop = ""
		}
	}
	if d.fuseUp {
		// The loop device lets go of its file asynchronously: retry a busy unmount a while, then detach it.
		if err := unmount(d.fuseDir); err != nil {
			errs = append(errs, err)
		} else {
			// The server stops when the kernel lets go of the filesystem; a hang guard, not a timing.
			select {
			case err := <-d.served:
				d.fuseUp = false
				if err != nil {
					errs = append(errs, fmt.Errorf("flakydisk: FUSE server: %w", err))
				}
			case <-time.After(time.Minute):
				errs = append(errs, errors.New("flakydisk: the FUSE server still runs a minute after its unmount"))
			}
		}
	}
	if d.fd >= 0 && !d.fuseUp {
		syscall.Close(d.fd)
		d.fd = -1
	}
	return errors.Join(errs...)
}

// unmount unmounts dir, retrying while it is busy (200 times, 10 ms apart), then lazily.
func unmount(dir string) error {
	var err error
	for range 200 {
		if err = syscall.Unmount(dir, 0); err == nil || !errors.Is(err, syscall.EBUSY) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if errors.Is(err, syscall.EBUSY) {
		err = syscall.Unmount(dir, syscall.MNT_DETACH)
	}
	if err != nil {
		return fmt.Errorf("flakydisk: unmount %s: %w", dir, err)
	}
	return nil
}

// Close takes everything down (it may be called at any point, also after a failed New) and keeps dir's files
// for the caller to remove.
func (d *Disk) Close() error {
	var errs []error
	if d.surviving {
		if err := unmount(d.check); err != nil {
			errs = append(errs, err)
		} else {
			d.surviving = false
		}
	}
	if d.checkLoop != "" {
		if err := run("losetup", "--detach", d.checkLoop); err != nil {
			errs = append(errs, err)
		} else {
			d.checkLoop = ""
		}
	}
	if d.srv != nil {
		d.srv.powerCut() // whatever is still mounted goes down without touching the image
		if err := d.teardown(); err != nil {
			errs = append(errs, err)
		}
		if d.fd < 0 {
			d.srv.img.Close()
		}
	}
	return errors.Join(errs...)
}

func (s *server) cutDone() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cut
}

func run(name string, args ...string) error {
	_, err := output(name, args...)
	return err
}

func output(name string, args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
