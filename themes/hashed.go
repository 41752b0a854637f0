package themes

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
)

// StaticPrefix is the URL path static files are served under.
const StaticPrefix = "/static/"

// hashLen is the number of hex digits of a content hash in a static URL: 48 bits of SHA-256, so two versions of
// one file practically never share a URL (which an immutable cache entry would then hide).
const hashLen = 12

// contentHash is the hash that goes into a static file's URL.
func contentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:hashLen]
}

// hashedName puts a content hash before a file's extension: "img/logo.svg" → "img/logo.3f9a1c2e0b4d.svg", and
// "LICENSE" → "LICENSE.3f9a1c2e0b4d". The hash goes into the file name rather than a query string because some
// caches and CDNs ignore query strings, and because relative URLs inside a stylesheet (url(img/bg.svg)) resolve
// the same from either name.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	if ext == "" || ext == path.Base(name) { // no extension, or a dot file such as ".well-known"
		return name + "." + hash
	}
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// StaticURL returns the URL of a static file with its content hash, "/static/style.3f9a1c2e0b4d.css", which the
// server answers with a year-long immutable cache lifetime: a changed file gets a new URL at once. Templates call
// it as {{static "style.css"}}; a name the theme has no file for is an error, which the load-time check reports.
func (t *Theme) StaticURL(name string) (string, error) {
	return t.static.url(name)
}

// hashedPath returns the hashed URL of a URL path under /static/ that names a file of the theme
// ("/static/img/logo.svg" → "/static/img/logo.3f9a1c2e0b4d.svg"), so the operator's logo (branding.logo, which
// the configuration gives as a plain path) is cached as immutable like the files templates link with {{static}}.
// Any other string is returned as is: a file the theme lacks answers 404 by either name.
func (t *Theme) hashedPath(p string) string {
	name, ok := strings.CutPrefix(p, StaticPrefix)
	if !ok {
		return p
	}
	if u, err := t.static.url(name); err == nil {
		return u
	}
	return p
}

func (s *staticFS) url(name string) (string, error) {
	name = strings.TrimPrefix(name, "/")
	h, ok := s.hashes[name]
	if !ok {
		return "", fmt.Errorf("static %q: the theme has no such file under static/", name)
	}
	return StaticPrefix + hashedName(name, h), nil
}

// StaticFile is a static file looked up by the path of a request under /static/.
type StaticFile struct {
	Name string // the file's name under static/: "style.css"
	Data []byte // its contents; shared, do not modify
	Hash string // its content hash, for an ETag
	// Immutable is true when the request named the file by its current content hash: the answer may be cached
	// for ever. A hash of an earlier version (a page rendered before a reload) still finds the file, without it.
	Immutable bool
}

// LookupStatic finds the static file a request path under /static/ names: the file itself ("style.css", served
// with a short cache lifetime) or its hashed name ("style.3f9a1c2e0b4d.css"). A name that exists as is wins over
// its reading as a hashed name.
func (t *Theme) LookupStatic(name string) (StaticFile, bool) {
	s := t.static
	if data, ok := s.files[name]; ok {
		return StaticFile{Name: name, Data: data, Hash: s.hashes[name]}, true
	}
	plain, hash, ok := splitHash(name)
	if !ok {
		return StaticFile{}, false
	}
	data, ok := s.files[plain]
	if !ok {
		return StaticFile{}, false
	}
	return StaticFile{Name: plain, Data: data, Hash: s.hashes[plain], Immutable: hash == s.hashes[plain]}, true
}

// splitHash undoes hashedName: "img/logo.3f9a1c2e0b4d.svg" → "img/logo.svg", "3f9a1c2e0b4d".
func splitHash(name string) (plain, hash string, ok bool) {
	dir, base := path.Split(name)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	if i := strings.LastIndexByte(stem, '.'); i >= 0 && isHash(stem[i+1:]) {
		return dir + stem[:i] + ext, stem[i+1:], true
	}
	if isHash(strings.TrimPrefix(ext, ".")) { // a file without extension: "LICENSE.3f9a1c2e0b4d"
		return dir + stem, ext[1:], true
	}
	return "", "", false
}

func isHash(s string) bool {
	if len(s) != hashLen {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}
