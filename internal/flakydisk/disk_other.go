//go:build !linux

package flakydisk

import (
	"errors"
	"runtime"
)

// Unavailable says what this machine lacks to run a Disk: here, Linux.
func Unavailable() string {
	return "missing Linux (loop devices and FUSE; this is " + runtime.GOOS + ")"
}

// ErrRefused wraps a setup step the kernel refused.
var ErrRefused = errors.New("flakydisk: refused by the kernel")

// Stats count what the disk did.
type Stats struct{ Writes, Flushes, Flushed, Lost, Dropped int }

// Disk is unavailable off Linux.
type Disk struct{}

// New fails off Linux.
func New(string, int64) (*Disk, error) { return nil, ErrRefused }

func (*Disk) Path() string              { return "" }
func (*Disk) Cut() Stats                { return Stats{} }
func (*Disk) Stats() Stats              { return Stats{} }
func (*Disk) Survivor() (string, error) { return "", ErrRefused }
func (*Disk) Close() error              { return nil }
