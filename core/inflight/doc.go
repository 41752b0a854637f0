// Package inflight counts the calls running on one generation of something that is replaced while the server
// runs (the hosts of a configuration), so that the replaced generation is released only once the last call that
// started on it has finished, never while one still uses it.
//
// It imports only the standard library: the HTTP layer and the admin socket both use it.
package inflight
