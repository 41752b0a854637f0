package httpapi

import (
	"io/fs"
	"path"
	"strings"

	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// Cache lifetimes of static files. A hashed URL ({{static "style.css"}} → /static/style.3f9a1c2e0b4d.css) names
// one version of a file, so it is cached for a year and never revalidated (RFC 8246 immutable); a change of the
// file changes the URL. The plain path (and a hash of an earlier version, from a page rendered before a theme
// reload) may change under the same URL, so the browser revalidates it each time against its ETag.
const (
	staticHashedCache = "public, max-age=31536000, immutable"
	staticPlainCache  = "public, no-cache"
)

// static serves the host theme's static files, from the version of the theme current when the request arrived.
func (s *Server) static(c *fiber.Ctx) error {
	h := hostOf(c)
	name := path.Clean(strings.TrimPrefix(c.Params("*"), "/"))
	if name == "." || strings.HasPrefix(name, "..") || !fs.ValidPath(name) {
		return fiber.ErrNotFound
	}
	f, ok := h.Theme.Load().LookupStatic(name)
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, themes.ContentType(f.Name))
	etag := `"` + f.Hash + `"`
	c.Set(fiber.HeaderETag, etag)
	if f.Immutable {
		cacheable(c, staticHashedCache)
	} else {
		cacheable(c, staticPlainCache)
	}
	// RFC 9110 §13.1.2: a matching If-None-Match answers 304 without the body.
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(f.Data)
}

// etagMatches reports whether an If-None-Match list names etag (weak comparison, RFC 9110 §13.1.2), or is "*".
func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == "*" || v == etag {
			return true
		}
	}
	return false
}
