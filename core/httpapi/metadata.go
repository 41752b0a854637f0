package httpapi

import (
	"strconv"
	"time"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/oidc"
	"github.com/gofiber/fiber/v2"
)

// Discovery documents and the JWKS hold no secret and change rarely: clients may cache them briefly. The JWKS
// max-age is the key manager's (token.Manager.JWKSMaxAge, ten minutes by default): short enough, after the key
// cache refresh, to fit in PublishAhead, so a cached JWKS always knows the next signing key before it signs.
const metadataMaxAge = "public, max-age=300"

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
	keys := hostOf(c).Keys
	set, err := keys.JWKS(c.UserContext())
	if err != nil {
		return err
	}
	cacheable(c, "public, max-age="+strconv.Itoa(int(keys.JWKSMaxAge()/time.Second)))
	return c.JSON(set, "application/jwk-set+json")
}

func cacheable(c *fiber.Ctx, v string) {
	c.Set(fiber.HeaderCacheControl, v)
	c.Response().Header.Del(fiber.HeaderPragma)
}
