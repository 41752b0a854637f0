package admin

import (
	"context"
	"encoding/json"

	"github.com/assentry/assentry/core/token"
)

// KeysArgs are the arguments of keys.rotate: one algorithm, or every kept one when empty.
type KeysArgs struct {
	Algorithm string `json:"alg,omitempty"`
}

func keysList(ctx context.Context, hs *HostServices, _ json.RawMessage) (any, error) {
	return hs.Keys.List(ctx)
}

// keysRotate creates the successor of the signing key of one or every algorithm; it is published now and signs
// once clients have had time to fetch it.
func keysRotate(ctx context.Context, hs *HostServices, raw json.RawMessage) (any, error) {
	var a KeysArgs
	if err := decode(raw, &a); err != nil {
		return nil, err
	}
	algs := token.SupportedAlgorithms()
	if a.Algorithm != "" {
		algs = []string{a.Algorithm}
	}
	out := []token.KeyInfo{}
	for _, alg := range algs {
		k, err := hs.Keys.Rotate(ctx, alg)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}
