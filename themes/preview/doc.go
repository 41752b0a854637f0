// Package preview is the theme author's preview behind `assentry theme serve`: an index of every page of a theme
// in every sample state (themes.States), each rendered as the server would render it and served with the server's
// Content Security Policy, and a small same-origin script that reloads the browser when the theme directory
// changes (themes/watch).
//
// It is a development tool on a loopback address, not part of the server: it uses net/http, imports themes and
// themes/watch, and nothing from core, store, policy or fiber.
package preview
