package oauthbearer

import (
	"context"
	"errors"
)

// exchangeState is where an Exchange stands.
type exchangeState int

const (
	stateStart  exchangeState = iota // waiting for the initial response
	stateFailed                      // the failure was sent; waiting for the client's %x01
	stateDone                        // over, either way
)

// Exchange is one OAUTHBEARER authentication on the server's side. It is not safe for concurrent use.
type Exchange struct {
	a        *Authenticator
	state    exchangeState
	identity *Identity
	failure  *Failure
}

// NewExchange starts an authentication.
func (a *Authenticator) NewExchange() *Exchange {
	return &Exchange{a: a}
}

// Next takes the client's next response and returns the server's challenge, whether the exchange is over, and
// why it failed. The steps (RFC 7628 §3.2):
//
//   - the initial response: a malformed one ends the exchange at once with a *SyntaxError; a valid token ends it
//     with success (done, nil error; see Identity); a token that fails returns the *Failure's JSON as the
//     challenge, not done (§3.2.2); a token that could not be checked ends it with that error.
//   - after a failure, the client's answer, which must be a lone %x01 (§3.2.3): the exchange ends with the
//     *Failure as the error either way, wrapped with a *SyntaxError when the client sent something else.
//
// A server whose client sent no initial response sends an empty challenge first and passes the answer here.
func (x *Exchange) Next(ctx context.Context, response []byte) (challenge []byte, done bool, err error) {
	switch x.state {
	case stateStart:
		r, err := ParseInitialResponse(response)
		if err != nil {
			x.state = stateDone
			return nil, true, err
		}
		id, err := x.a.Authenticate(ctx, r)
		var f *Failure
		switch {
		case errors.As(err, &f):
			x.state, x.failure = stateFailed, f
			return f.JSON(), false, nil
		case err != nil:
			x.state = stateDone
			return nil, true, err
		}
		x.state, x.identity = stateDone, id
		return nil, true, nil
	case stateFailed:
		x.state = stateDone
		if len(response) != 1 || response[0] != kvsep {
			return nil, true, errors.Join(x.failure, syntaxError("after a failure the client must answer with a lone %%x01"))
		}
		return nil, true, x.failure
	default:
		return nil, true, errors.New("oauthbearer: the exchange is over")
	}
}

// Identity is who authenticated, once Next has returned done with a nil error; nil otherwise.
func (x *Exchange) Identity() *Identity { return x.identity }
