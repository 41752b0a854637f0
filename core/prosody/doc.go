// Package prosody reads the account store of a Prosody host (mod_auth_internal_hashed with the default file
// storage), so `assentry user import-prosody` can bring its users over with their passwords. Each account file is a
// Lua chunk that Prosody's serializer wrote; this package reads that table literal with a small parser of its own
// and never runs Lua.
//
// It imports nothing of the module and nothing beyond the standard library: the caller turns an Account into
// whatever it stores.
package prosody
