package registration

import (
	"context"
	"errors"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// Source is the oauth.ClientSource of a host: the operator's static clients first, then registered client_ids.
// Every flow looks clients up through it, so registered clients take part in every flow like static ones.
type Source struct {
	Static     oauth.ClientSource
	Registered *Registry // nil when registration is off: registered ids are then unknown, as in mod_http_oauth2
}

var _ oauth.ClientSource = (*Source)(nil)

// Get returns a static client by id, or else the registered client an id shaped like a client_id JWT stands for.
func (s *Source) Get(ctx context.Context, id string) (*store.Client, error) {
	c, err := s.Static.Get(ctx, id)
	if err == nil || s.Registered == nil || !looksLikeID(id) {
		return c, err
	}
	if !errors.Is(err, oauth.ErrClientNotFound) && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return s.Registered.Get(ctx, id)
}

// Sources returns the client source of a host: static alone when reg is nil.
func Sources(static oauth.ClientSource, reg *Registry) oauth.ClientSource {
	if reg == nil {
		return static
	}
	return &Source{Static: static, Registered: reg}
}
