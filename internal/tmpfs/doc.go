// Package tmpfs mounts a small tmpfs for tests that must fill a filesystem (the disk-full tests of store/badger
// and cmd/assentry), and fills it up to a chosen free space. Test code only; it imports nothing of the project.
package tmpfs
