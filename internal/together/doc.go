// Package together starts the racers of a concurrency test at one moment: tests of one-time artifacts redeemed
// twice, of instances starting at once, of leases taken by several holders. Test code only; it imports nothing of
// the project.
package together
