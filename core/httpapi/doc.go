// Package httpapi is the fiber adapter of Assentry: routes, middleware (host routing, security headers, request
// ids, limits, client address, CORS, logging) and handlers that copy each request into core types, call core,
// and write JSON, redirects or rendered pages.
//
// It is the only package that imports fiber; it must not import badger or any other storage driver.
package httpapi
