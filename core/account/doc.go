// Package account manages a host's users: immutable ids, PRECIS-normalised usernames, argon2id password hashes,
// the policy a new password must pass (NIST SP 800-63B-4 §3.1.1.2), roles from the host's catalogue, groups,
// profile claims and the disabled flag.
//
// It depends only on the store contract; it must not import fiber, badger or any HTTP package.
package account
