// Package themes renders Assentry's browser pages (login, consent, logout, errors, ...) from Go html/template files:
// an embedded default theme, overlaid file by file by an operator's theme directory, parsed and test-rendered once at
// load so a broken theme fails at start instead of at the first request.
//
// Every text comes from per-locale message catalogs (messages/<locale>.json, English the fallback), and Locale
// picks a page's language from ui_locales, the user's locale and Accept-Language.
//
// It imports only the standard library and golang.org/x/text (language matching): nothing from core, store,
// policy or fiber. The HTTP layer fills a Page, calls
// Theme.Render and serves Theme.Static under /static/. The contract themes rely on is docs/architecture.md §6 and
// themes/README.md.
package themes
