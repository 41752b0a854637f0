package registration

import (
	"context"
	"errors"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
)

// Source is the oauth.ClientSource of a host: the operator's static clients first, then registered client_ids,
// and, with client_id_metadata_documents enabled, client_ids that are the URL of a Client ID Metadata Document.
// Every flow looks clients up through it, so such clients take part in every flow like static ones.
type Source struct {
	Static     oauth.ClientSource
	Registered *Registry // nil when registration is off: registered ids are then unknown, as in mod_http_oauth2
	// Documents resolves URL client_ids; nil when client_id_metadata_documents is off: they are then unknown.
	Documents *Documents
}

var _ oauth.ClientSource = (*Source)(nil)

// Get returns a static client by id, or else the registered client an id shaped like a client_id JWT stands
// for, or else the client whose metadata document an http(s) URL id names.
func (s *Source) Get(ctx context.Context, id string) (*store.Client, error) {
	c, err := s.Static.Get(ctx, id)
	if err == nil {
		return c, nil
	}
	registered, document := s.Registered != nil && looksLikeID(id), s.Documents != nil && looksLikeDocumentURL(id)
	if !registered && !document {
		return c, err
	}
	if !errors.Is(err, oauth.ErrClientNotFound) && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if document {
		return s.Documents.Get(ctx, id)
	}
	return s.Registered.Get(ctx, id)
}

// Sources returns the client source of a host: static alone when reg is nil.
func Sources(static oauth.ClientSource, reg *Registry) oauth.ClientSource {
	return SourcesWith(static, reg, nil)
}

// SourcesWith returns the client source of a host with its registry and its metadata document source, either
// of which may be nil (off).
func SourcesWith(static oauth.ClientSource, reg *Registry, docs *Documents) oauth.ClientSource {
	if reg == nil && docs == nil {
		return static
	}
	return &Source{Static: static, Registered: reg, Documents: docs}
}
