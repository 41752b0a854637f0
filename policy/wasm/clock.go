package wasm

import (
	"math/rand/v2"
	"time"
)

// guestClock is an instance's clock and random source, deterministic as docs/policy-abi.md says ("WebAssembly
// binding": guests take the time from the input's now): wall time starts at 2022-01-01 00:00 UTC and monotonic time at
// 0, each advancing 1 ms per reading (as wazero's defaults do), and random bytes come from a fixed seed. Each
// instance has its own, so that isolation can rewind it with the rest of the instance: otherwise how far a
// call advanced them would be a channel from one call to the next. An instance serves one goroutine at a time,
// so no lock.
type guestClock struct {
	wall, mono int64 // readings so far
	rnd        rand.ChaCha8
}

// fakeEpoch is the first wall-clock reading, in nanoseconds since 1970.
const fakeEpoch = 1640995200 * int64(time.Second)

// guestSeed seeds every instance's random source.
var guestSeed = *rand.NewChaCha8([32]byte{'a', 's', 's', 'e', 'n', 't', 'r', 'y'})

func newGuestClock() *guestClock { return &guestClock{rnd: guestSeed} }

// walltime implements wazero's sys.Walltime.
func (c *guestClock) walltime() (sec int64, nsec int32) {
	t := fakeEpoch + c.wall*int64(time.Millisecond)
	c.wall++
	return t / 1e9, int32(t % 1e9)
}

// nanotime implements wazero's sys.Nanotime.
func (c *guestClock) nanotime() int64 {
	t := c.mono * int64(time.Millisecond)
	c.mono++
	return t
}

// Read is the guest's random source (wasi random_get).
func (c *guestClock) Read(p []byte) (int, error) { return c.rnd.Read(p) }
