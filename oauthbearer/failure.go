package oauthbearer

import (
	"encoding/json"
	"fmt"
)

// Status values of a failure (RFC 7628 §3.2.2: the error codes of the OAuth Extensions Error Registry, RFC 6750
// §3.1).
const (
	// StatusInvalidToken: the token is unknown, expired, revoked, not for this server, or not the kind this
	// server takes. The client should get a new one.
	StatusInvalidToken = "invalid_token"
	// StatusInsufficientScope: the token is valid but lacks a scope this server requires (named in Scope).
	StatusInsufficientScope = "insufficient_scope"
	// StatusInvalidRequest: the token is valid, but the request is not one it allows; here, an authorization
	// identity the token does not hold. A new token would not help, so this is not invalid_token.
	StatusInvalidRequest = "invalid_request"
)

// Failure is a failed authentication as the server reports it to the client (RFC 7628 §3.2.2): a JSON object
// sent as a server challenge, after which the client answers with a lone %x01 and the server fails the
// exchange. Reason says why, for the server's log; it is never sent.
type Failure struct {
	Status string `json:"status"`
	// Scope is the scope a token must carry for this server, space-separated (optional).
	Scope string `json:"scope,omitempty"`
	// OpenIDConfiguration is the URL of the authorization server's discovery document, where the client learns
	// how to get a token (optional).
	OpenIDConfiguration string `json:"openid-configuration,omitempty"`
	Reason              string `json:"-"`
}

func (f *Failure) Error() string {
	if f.Reason == "" {
		return "oauthbearer: " + f.Status
	}
	return "oauthbearer: " + f.Status + ": " + f.Reason
}

// JSON is the failure's server challenge (RFC 7628 §3.2.2).
func (f *Failure) JSON() []byte {
	b, _ := json.Marshal(f) // three strings: cannot fail
	return b
}

// ParseFailure reads a server's failure challenge, for clients and tests. status is required (§3.2.2).
func ParseFailure(challenge []byte) (*Failure, error) {
	var f Failure
	if err := json.Unmarshal(challenge, &f); err != nil {
		return nil, fmt.Errorf("oauthbearer: the server's challenge is not a failure object: %w", err)
	}
	if f.Status == "" {
		return nil, fmt.Errorf("oauthbearer: the server's failure has no status")
	}
	return &f, nil
}
