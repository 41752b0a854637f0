package httpapi

import (
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/oidc"
	"github.com/gofiber/fiber/v2"
)

// Discovery documents and the JWKS hold no secret and change rarely: clients may cache them briefly. The JWKS
// max-age must stay below the key manager's PublishAhead, so a cached JWKS always knows the next signing key.
const (
	metadataMaxAge = "public, max-age=300"
	jwksMaxAge     = "public, max-age=600"
)

func (s *Server) oauthMetadata(h *Host) *oauth.Metadata {
	m := h.OAuth.Metadata()
	if h.Keys != nil {
		m.JWKSURI = m.Issuer + "/oauth2/jwks"
	}
	if h.Registration != nil {
		m.RegistrationEndpoint = m.Issuer + "/oauth2/register" // RFC 8414 §2
	}
	m.ClientIDMetadataDocumentSupported = h.Documents != nil
	return m
}

// metadata serves the RFC 8414 authorization server metadata.
func (s *Server) metadata(c *fiber.Ctx) error {
	cacheable(c, metadataMaxAge)
	return c.JSON(s.oauthMetadata(hostOf(c)))
}

// discovery serves the OpenID Provider metadata (OIDC Discovery 1.0 §4).
func (s *Server) discovery(c *fiber.Ctx) error {
	h := hostOf(c)
	cacheable(c, metadataMaxAge)
	d := oidc.NewDiscovery(s.oauthMetadata(h), h.IDTokenAlgs)
	d.UILocalesSupported = h.Theme.Locales() // the languages of the host's theme (Discovery §3)
	return c.JSON(d)
}

// jwks serves the host's published public keys (RFC 7517).
func (s *Server) jwks(c *fiber.Ctx) error {
	set, err := hostOf(c).Keys.JWKS(c.UserContext())
	if err != nil {
		return err
	}
	cacheable(c, jwksMaxAge)
	return c.JSON(set, "application/jwk-set+json")
}

func cacheable(c *fiber.Ctx, v string) {
	c.Set(fiber.HeaderCacheControl, v)
	c.Response().Header.Del(fiber.HeaderPragma)
}
