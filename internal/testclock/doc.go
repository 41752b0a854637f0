// Package testclock is the settable clock tests inject instead of sleeping: Now reads it, Advance and Set move
// it; safe for concurrent use, since the code under test reads it from its own goroutines.
package testclock
