// Package tcpproxy is a loopback TCP proxy that tests put between a program and its database and then cut: every
// connection through it closed and new ones refused, or accepted and never answered (a database that hangs), and
// later restored on the same address.
package tcpproxy
