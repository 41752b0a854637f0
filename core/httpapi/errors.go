package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// pageError is an error shown to the user on the themed error page with its status.
type pageError struct {
	status int
	code   string
	desc   string
	ret    *themes.Link
}

func (e *pageError) Error() string { return e.code + ": " + e.desc }

func showError(status int, code, desc string) error {
	return &pageError{status: status, code: code, desc: desc}
}

// handleError writes the answer for an error a handler returned: themed pages for people, JSON under
// /oauth2/ for programs. Anything unexpected is a logged 500 that reveals nothing.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var pe *pageError
	var fe *fiber.Error
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &fe):
		pe = &pageError{status: fe.Code, code: strings.ToLower(strings.ReplaceAll(http.StatusText(fe.Code), " ", "_")), desc: fe.Message}
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			pe.desc = "The request is too large."
		}
	default:
		s.log.Error("request failed", "err", err, "path", c.Path(), "request_id", requestIDOf(c))
		pe = &pageError{status: fiber.StatusInternalServerError, code: "server_error",
			desc: "Something went wrong on our side. Please try again later. (request " + requestIDOf(c) + ")"}
	}
	h, ok := c.Locals(localsHost).(*Host)
	if !ok || apiPath(c.Path()) {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(pe.status).JSON(fiber.Map{"error": pe.code, "error_description": pe.desc})
	}
	page := s.basePage(c, h)
	page.Title = "Error"
	page.Error = &themes.Error{Code: pe.code, Description: pe.desc}
	page.Return = pe.ret
	return s.render(c, h, "error", page, pe.status)
}

// apiPath reports whether a path is a JSON endpoint (its errors are JSON); the authorization and logout
// endpoints are browser pages under /oauth2/ and show their errors as pages.
func apiPath(path string) bool {
	return strings.HasPrefix(path, "/oauth2/") && path != "/oauth2/authorize" && path != "/oauth2/logout"
}
