package httpapi

import (
	"mime"
	"strings"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/registration"
	"github.com/gofiber/fiber/v2"
)

// Dynamic client registration (RFC 7591 §3, OpenID Connect Dynamic Client Registration 1.0 §3) at /oauth2/register.
// Both methods answer 404 while registration is off on the host (docs/architecture.md §5). The schema (GET) is served
// only when registration is on, unlike mod_http_oauth2, which serves it always: a schema of an endpoint that refuses
// everything describes nothing.

// registry returns the host's registration service, or 404 when registration is off.
func registry(c *fiber.Ctx) (*registration.Registry, error) {
	reg := hostOf(c).Registration
	if reg == nil {
		return nil, fiber.ErrNotFound
	}
	return reg, nil
}

// registerSchema serves GET /oauth2/register: the JSON Schema of the accepted metadata.
func (s *Server) registerSchema(c *fiber.Ctx) error {
	reg, err := registry(c)
	if err != nil {
		return err
	}
	cacheable(c, metadataMaxAge)
	c.Set(fiber.HeaderContentType, "application/schema+json")
	return c.Send(reg.Schema())
}

// register serves POST /oauth2/register. In order: the per-address rate limit (so guessing the initial access
// token is limited too), the initial access token, the media type, then the rules. The answer is 201 with the
// registered metadata and credentials, never cached; a refusal is 400 with invalid_redirect_uri or
// invalid_client_metadata and a description naming the member (RFC 7591 §3.2.2).
func (s *Server) register(c *fiber.Ctx) error {
	h := hostOf(c)
	reg, err := registry(c)
	if err != nil {
		return err
	}
	noStore(c)
	if h.RegisterPerIP != nil {
		if ok, wait := h.RegisterPerIP.Allow(s.clientIP(c)); !ok {
			return s.writeError(c, oauth.TooManyRequests("too many registrations from this address; retry later", wait))
		}
	}
	if !reg.Open() && !reg.AcceptsInitialAccessToken(initialAccessToken(c)) {
		// RFC 7591 §3 with RFC 6750 §3.1: missing or wrong, both invalid_token.
		return s.writeError(c, oauth.InvalidInitialAccessToken("registration on this server needs its initial access token as a Bearer token"))
	}
	// RFC 7591 §3.1: the metadata is sent as application/json; anything else is invalid_client_metadata.
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEApplicationJSON {
		return s.writeError(c, oauth.InvalidClientMetadata("", "the client metadata must be sent as application/json (RFC 7591 section 3.1)"))
	}
	// The raw body: c.Body() would inflate a Content-Encoding, which a registration never needs.
	info := registration.RequestInfo{RemoteAddr: s.clientIP(c), UserAgent: strings.Clone(c.Get(fiber.HeaderUserAgent)),
		AuthKind: "anonymous"}
	if !reg.Open() {
		info.AuthKind = "initial_access_token"
	}
	resp, err := reg.RegisterFrom(c.UserContext(), c.Request().Body(), info)
	if err != nil {
		// A refusal is an *oauth.Error; anything else (a failing policy, signing) is a server failure.
		e := oauth.AsError(err)
		if !e.ServerFailure() {
			// Who refused it (a plugin, or which built-in rule) and why: the access log shows only the 400.
			s.log.Info("client registration refused", "host", h.ID, "decided_by", registration.DecidedBy(err),
				"error", e.Code, "reason", e.Description, "ip", s.clientIP(c), "request_id", requestIDOf(c))
		}
		return s.writeError(c, e)
	}
	s.log.Info("client registered", "host", h.ID, "client_name", resp.ClientName, "client_uri", resp.ClientURI,
		"client_id_sha256", oauth.Digest(resp.ClientID), "ip", s.clientIP(c), "request_id", requestIDOf(c))
	return c.Status(fiber.StatusCreated).JSON(resp)
}

// initialAccessToken returns the token of an Authorization: Bearer header (RFC 6750 §2.1; the scheme is
// case-insensitive), or "".
func initialAccessToken(c *fiber.Ctx) string {
	scheme, tok, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.Clone(strings.TrimSpace(tok))
}
