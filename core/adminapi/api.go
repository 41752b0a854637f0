package adminapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/ratelimit"
)

// Options are what the API is built with.
type Options struct {
	// Services authenticates admin tokens (its AdminTokens, which belong to the server, not to a configuration)
	// and, unless Dispatcher is set, runs the operations. Required.
	Services *admin.Services
	// Dispatcher runs the operations: a server whose configuration can be reloaded passes the one its admin socket
	// serves, which follows the current configuration; nil: Services.
	Dispatcher admin.Dispatcher
	// Metrics is served at /metrics without a token (it carries no identifiers); nil answers 404.
	Metrics http.Handler
	// Backup writes a backup of the whole store to w; nil answers GET /v1/backup with 503.
	Backup func(ctx context.Context, w io.Writer) error
	// AuthFailures limits failed authentications per client address; nil: 10 at once, then one every 6 s.
	AuthFailures *ratelimit.Limiter
	// Now is the clock of the last-use stamps; nil: time.Now.
	Now func() time.Time
	Log *slog.Logger // nil: discard
}

// API is the admin API's http.Handler.
type API struct {
	svc      *admin.Services
	dispatch admin.Dispatcher
	backup   func(ctx context.Context, w io.Writer) error
	failures *ratelimit.Limiter
	now      func() time.Time
	log      *slog.Logger
	mux      *http.ServeMux
	patterns []string // every pattern registered on mux, for the test that holds them to the document
	openapi  []byte
}

var _ http.Handler = (*API)(nil)

// New builds the API and its OpenAPI document; it fails only on a route table that cannot be documented.
func New(o Options) (*API, error) {
	if o.Services == nil {
		return nil, errors.New("adminapi: Options.Services is required")
	}
	a := &API{svc: o.Services, dispatch: o.Dispatcher, backup: o.Backup, failures: o.AuthFailures, now: o.Now, log: o.Log}
	if a.dispatch == nil {
		a.dispatch = o.Services
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.failures == nil {
		a.failures = ratelimit.New(10, 6*time.Second, a.now)
	}
	doc, err := Document()
	if err != nil {
		return nil, err
	}
	a.openapi = doc
	a.mux = http.NewServeMux()
	for _, rt := range routes {
		a.handle(rt.Method+" "+rt.Pattern, a.authenticated(rt, a.operation(rt)))
	}
	a.handle("GET /v1/backup", a.authenticated(backupRoute, http.HandlerFunc(a.serveBackup)))
	a.handle("GET /v1/openapi.json", http.HandlerFunc(a.serveOpenAPI))
	metrics := o.Metrics
	if metrics == nil {
		metrics = http.NotFoundHandler()
	}
	a.handle("GET /metrics", metrics)
	return a, nil
}

func (a *API) handle(pattern string, h http.Handler) {
	a.mux.Handle(pattern, h)
	a.patterns = append(a.patterns, pattern)
}

// methods are the methods the API routes, for the Allow header of a 405.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// ServeHTTP answers every request with the headers an API of secrets needs: nothing is cached or sniffed.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if _, pattern := a.mux.Handler(r); pattern == "" {
		a.unrouted(w, r)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// unrouted answers a request no route matches in the API's JSON: 405 with Allow when the path is routed for
// other methods, else 404.
func (a *API) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := a.mux.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint; see /v1/openapi.json")
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here")
}

func (a *API) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(a.openapi)
}
