// Package lint checks a theme directory the way `assentry theme check` reports it: template errors and missing
// required templates (themes.Load), forms that lost a field the server reads back, and markup the Content Security
// Policy would block (inline scripts and styles, event handler attributes, javascript: URLs, resources from other
// origins), each with its file and line.
//
// It imports only themes and the standard library. Its HTML scanner is deliberately small: it reads tags and
// attributes of template sources (with the {{actions}} masked out) and of rendered pages, which is all the checks need.
package lint
