// Command assentry is the Assentry binary: serve, and the management commands for users and clients. wire.go is
// the one composition root that picks the store backend and builds every host's services.
//
// Nothing imports this package.
package main
