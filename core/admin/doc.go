// Package admin carries the management operations of the CLI (users, clients) to the core services, either
// directly on an open store or, while a server holds the data directory, over its admin unix socket; both
// paths run the same dispatcher, so a command behaves the same with or without a running server. The socket
// also streams backups of the running server's store (POST /v1/backup) from a BackupFunc the backend provides.
//
// It must not import fiber or badger: it sees the core services and the store contract only.
package admin
