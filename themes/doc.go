// Package themes renders Assentry's browser pages (login, consent, logout, errors, ...) from Go html/template files:
// an embedded default theme, overlaid file by file by an operator's theme directory, parsed and test-rendered once at
// load so a broken theme fails at start instead of at the first request.
//
// It imports only the standard library: nothing from core, store, policy or fiber. The HTTP layer fills a Page, calls
// Theme.Render and serves Theme.Static under /static/. The contract themes rely on is docs/architecture.md §6 and
// themes/README.md.
package themes
