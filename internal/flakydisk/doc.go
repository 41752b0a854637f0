// Package flakydisk simulates a power cut under a real filesystem, for durability tests, without the device
// mapper (dm-flakey, dm-log-writes), which many machines lack.
//
// The disk is an ext4 filesystem on a loop device whose backing file is served by a FUSE filesystem in the test
// process. The FUSE server is the disk's volatile write cache: a write the loop device completes is kept in
// memory, and only a flush (the loop device turns every REQ_PREFLUSH and FUA write of ext4 into an fsync of its
// backing file, which reaches the server as FUSE_FSYNC) copies the writes received so far to the image file,
// which plays the platter. Cut is the power cut: the writes not yet flushed are dropped, and so is every write
// after it (the filesystem above still thinks it is writing while it is unmounted). Survivor then mounts the
// image as it stands: only what was flushed before the cut. What the kernel's page cache held for the
// filesystem above, which a SIGKILL keeps, is lost too, since it never reached the disk.
//
// Writes to the disk must come from another process than the one serving it (a page fault on a file of the
// disk, served by a goroutine of the same process, can deadlock with the Go runtime): tests run their writer as
// a child process.
//
// It needs Linux, root (mounts and loop devices), /dev/fuse, a loop device, losetup and mkfs.ext4. Unavailable
// says what is missing. It is test support only; nothing outside tests imports it.
package flakydisk
