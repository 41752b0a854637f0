package httpapi

import (
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// The JSON endpoints of OAuth clients (token, revocation, introspection) share one shape: a form body, client
// credentials in the Authorization header or the body, a JSON answer that is never cached, and errors as
// {"error","error_description"} with the status of the *oauth.Error (DESIGN.md §5).

// oauthProvider returns the OAuth core of the request's host; a host without one does not serve the endpoints.
func oauthProvider(c *fiber.Ctx) (*oauth.Provider, error) {
	p := hostOf(c).OAuth
	if p == nil {
		return nil, fiber.ErrNotFound
	}
	return p, nil
}

// formParams checks that the body is application/x-www-form-urlencoded (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662
// §2.1) and parses it once: a repeated parameter is invalid_request (RFC 6749 §3.2). Parameters in the query
// string are not read: these endpoints take POST bodies only, and credentials never belong in a URL
// (RFC 6749 §2.3.1). Every value is a copy; nothing points into fiber's buffers.
func formParams(c *fiber.Ctx) (oauth.Params, *oauth.Error) {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEApplicationForm {
		return nil, oauth.InvalidRequest("the request body must be application/x-www-form-urlencoded")
	}
	// The raw body: c.Body() would inflate a Content-Encoding, which no form client needs and a bomb abuses.
	values, err := url.ParseQuery(string(c.Request().Body()))
	if err != nil {
		return nil, oauth.InvalidRequest("the request body is not a valid form")
	}
	return oauth.ParseParams(values)
}

// credentials copies the client credentials of a request: the Authorization header (decoded by
// oauth.AuthenticateClient) and the body's client_id and client_secret.
func credentials(c *fiber.Ctx, params oauth.Params) oauth.ClientCredentials {
	return oauth.CredentialsFrom(strings.Clone(c.Get(fiber.HeaderAuthorization)), params)
}

// transport copies the facts of the HTTP request a core request may need (oauth.Transport): method, the URL
// as the client addressed it (the issuer's scheme and host, the request's path), every header, and the
// client's address after trusted_proxies. Copies only: fiber reuses its buffers.
func (s *Server) transport(c *fiber.Ctx) oauth.Transport {
	h := hostOf(c)
	header := make(http.Header)
	c.Request().Header.VisitAll(func(k, v []byte) { header.Add(string(k), string(v)) })
	return oauth.Transport{Method: strings.Clone(c.Method()), URL: h.Issuer.Scheme + "://" + h.Issuer.Host + strings.Clone(c.Path()),
		Header: header, ClientAddr: s.clientIP(c)}
}

// noStore marks an answer that carries tokens or token metadata as uncacheable (RFC 6749 §5.1, RFC 7662 §4).
func noStore(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderPragma, "no-cache")
}

// writeJSON answers 200 with v as JSON, uncacheable.
func writeJSON(c *fiber.Ctx, v any) error {
	noStore(c)
	return c.Status(fiber.StatusOK).JSON(v)
}

// writeOAuthError answers an *oauth.Error (RFC 6749 §5.2). invalid_client of a request that tried HTTP Basic
// gets the WWW-Authenticate challenge RFC 6749 §5.2 requires (DESIGN.md §5). A server_error is logged with its
// cause and the request id, and the client sees only a generic description with that id. An error with a wait
// (oauth.RateLimited) carries it as Retry-After.
func (s *Server) writeOAuthError(c *fiber.Ctx, e *oauth.Error) error {
	noStore(c)
	desc := e.Description
	if e.Code == oauth.CodeServerError || e.Status >= fiber.StatusInternalServerError {
		s.log.Error("oauth request failed", "err", e.Unwrap(), "code", e.Code, "path", c.Path(),
			"request_id", requestIDOf(c))
		desc = "the server could not complete the request (request " + requestIDOf(c) + ")"
	}
	if e.Status == fiber.StatusUnauthorized && e.BasicTried() {
		c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="`+hostOf(c).Issuer.Host+`"`)
	}
	if e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = fiber.StatusBadRequest
	}
	return c.Status(status).JSON(fiber.Map{"error": e.Code, "error_description": desc})
}
