package httpapi

import (
	"github.com/assentry/assentry/core/dpop"
	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// errorBody is the JSON of an error answer: RFC 6749 §5.2, which RFC 6750 §3, RFC 7009 §2.2.1, RFC 7591 §3.2.2
// and RFC 7662 §2.3 share.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// writeError is the one writer of an *oauth.Error at the JSON endpoints (token, revocation, introspection,
// registration, userinfo, and any other path under /oauth2/ but authorize and logout). It answers:
//
//   - the error's status, never cached (RFC 6749 §5.1);
//   - its WWW-Authenticate challenge with the host as realm: Basic after a failed HTTP Basic client
//     authentication (RFC 6749 §5.2), Bearer at userinfo and for the initial access token (RFC 6750 §3);
//   - its Retry-After, for 429 and 503;
//   - {"error","error_description"}; or no body for a request to a protected resource without any token (an
//     error without a code, RFC 6750 §3.1).
//
// A server failure (any 5xx, or server_error) is logged with its cause and the request id, and the client sees
// only a generic description carrying that id. Every description sent is cleaned (oauth.CleanDescription) to
// the characters RFC 6749 §5.2 allows.
func (s *Server) writeError(c *fiber.Ctx, e *oauth.Error) error {
	noStore(c)
	desc := e.Description
	// A deliberate 503 (a bound reached, oauth.TemporarilyUnavailable) is no failure: whoever decided it logs it as
	// it sees fit, and its description is the client's.
	if e.ServerFailure() && !e.Deliberate() {
		s.logFailure(c, e)
		desc = "the server could not complete the request (request " + requestIDOf(c) + ")"
		if e.Status == fiber.StatusServiceUnavailable {
			desc = "the server is temporarily unavailable; retry later (request " + requestIDOf(c) + ")"
		}
	}
	if ch := e.Challenge(realmOf(c)); ch != "" {
		c.Set(fiber.HeaderWWWAuthenticate, ch)
	}
	setRetryAfter(c, e)
	if n := e.DPoPNonce(); n != "" {
		c.Set(dpop.HeaderNonce, n) // use_dpop_nonce (RFC 9449 §8.1, §9)
	}
	if e.Code == "" {
		return c.SendStatus(answerStatus(e))
	}
	// RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E, whatever the *oauth.Error holds.
	return c.Status(answerStatus(e)).JSON(errorBody{Error: e.Code, Description: oauth.CleanDescription(desc)})
}

// realmOf is the realm of the request's challenges: the host name of its issuer, or "" before a host was routed.
func realmOf(c *fiber.Ctx) string {
	if h, ok := c.Locals(localsHost).(*Host); ok {
		return h.Issuer.Host
	}
	return ""
}
