package policy

import (
	"context"
	"maps"
)

// Claims collects the extra claims of an id_token or a userinfo answer: the built-in policy's, then each plugin's
// merged over them (a later answer wins). Reserved names are dropped and logged; an answer over the caps is an
// invalid_output failure (on_error skip by default). Claims is never nil.
func (c *Chain) Claims(ctx context.Context, in *ClaimsInput) (*ClaimsOutput, error) {
	s := c.acquire()
	defer s.release()
	req := *in
	c.fill(ctx, HookClaims, &req.Envelope)
	claims := map[string]any{}
	if f := c.opts.Builtin.Claims; f != nil && c.builtinOn(HookClaims) {
		out, err := f(ctx, &req)
		if err != nil {
			return nil, err
		}
		maps.Copy(claims, out.Claims)
	}
	for _, e := range s.hooks[HookIndex(HookClaims)] {
		dec, err := c.call(ctx, e, HookClaims, &req, req.RequestID)
		if err == nil {
			var merged map[string]any
			if merged, err = c.mergeClaims(e, HookClaims, req.RequestID, claims, dec.(*ClaimsOutput).Claims); err == nil {
				claims = merged
				continue
			}
		}
		if e.onError == OnErrorSkip {
			continue
		}
		return nil, failClosed(e, HookClaims, err)
	}
	return &ClaimsOutput{Claims: claims}, nil
}
