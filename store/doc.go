// Package store defines Assentry's persistence contract: one typed interface per entity (users, sessions,
// clients, consents, grants, tokens, codes, device codes, keys), the entity structs and the sentinel errors.
// Every key is scoped by a host id and every record carries its own expiry, checked on each read. format.go is
// the contract for versioned data: format stamps, migrations and the refusal of a newer format; instances.go the
// optional registry of the server processes sharing a store. export.go is the optional HostExporter, which moves a
// host's records between stores, and exportfile.go the file they travel in.
//
// It must not import anything from core, policy or a storage driver: backends live in sub-packages
// (store/badger), and store/storetest is the conformance suite every backend runs.
package store
