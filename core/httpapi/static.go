package httpapi

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// static serves the host theme's static files. They hold nothing secret, so they may be cached for an hour.
func (s *Server) static(c *fiber.Ctx) error {
	h := hostOf(c)
	name := path.Clean(strings.TrimPrefix(c.Params("*"), "/"))
	if name == "." || strings.HasPrefix(name, "..") || !fs.ValidPath(name) {
		return fiber.ErrNotFound
	}
	b, err := fs.ReadFile(h.Theme.Static(), name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, themes.ContentType(name))
	cacheable(c, "public, max-age=3600")
	return c.Send(b)
}
