package httpapi

import (
	"context"
	"strings"

	"github.com/assentry/assentry/core/oauth"
	"github.com/gofiber/fiber/v2"
)

// deviceAuthorizationCall serves POST /oauth2/device (RFC 8628 §3.1–3.2): client authentication as at the
// token endpoint, JSON answers and errors.
func deviceAuthorizationCall(ctx context.Context, p *oauth.Provider, params oauth.Params, cred oauth.ClientCredentials, tr oauth.Transport) (any, *oauth.Error) {
	return p.DeviceAuthorization(ctx, &oauth.DeviceAuthorizationRequest{Params: params, Client: cred, Transport: tr})
}

// deviceServed answers 404 for the device endpoints of a host that does not serve the device grant: they do not
// exist there, and its metadata does not list them.
func deviceServed(c *fiber.Ctx) error {
	if p := hostOf(c).OAuth; p == nil || !p.Serves(oauth.GrantDeviceCode) {
		return fiber.ErrNotFound
	}
	return c.Next()
}

// devicePage shows the user code entry (GET /device), pre-filled from verification_uri_complete's user_code.
func (s *Server) devicePage(c *fiber.Ctx) error {
	h := hostOf(c)
	return s.writeStep(c, h, h.Flow.DevicePage(c.UserContext(), strings.Clone(c.Query("user_code"))), nil)
}

// deviceSubmit takes a user code (POST /device) once the form's media type and CSRF field are checked.
func (s *Server) deviceSubmit(c *fiber.Ctx) error {
	h := hostOf(c)
	if err := checkFormPost(c, h); err != nil {
		return err
	}
	st, err := h.Flow.DeviceSubmit(c.UserContext(), strings.Clone(c.FormValue("user_code")), s.browserOf(c, h))
	return s.writeStep(c, h, st, err)
}
