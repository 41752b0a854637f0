// Command assentry is the Assentry binary: serve, and the management commands for users and clients. wire.go is
// the one composition root: it picks the store backend and has core/assembly build every host's services.
//
// Nothing imports this package.
package main
