package httpapi

import (
	"context"
	"fmt"
	json "github.com/goccy/go-json"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
)

// Options configure a Server.
type Options struct {
	Hosts          []*Host
	TrustedProxies []string
	Logger         *slog.Logger
	// Ready reports whether the server can serve (the store is open); nil means always ready.
	Ready func(ctx context.Context) error
	// BodyLimit caps request bodies; 0 means 1 MiB (forms and registration metadata are far smaller).
	BodyLimit int
	// Limits are the listener's timeouts and connection caps; zero fields take their defaults.
	Limits Limits
	// Observer, when set, is told of every answered request (observe.go); nil costs nothing.
	Observer Observer
	// Instance is the server process's instance id (random per start), sent in the Assentry-Instance header of
	// /healthz and /readyz so that an operator behind a load balancer sees which instance answered; "" sends none.
	Instance string
}

// Server is the fiber application of every host.
type Server struct {
	app *fiber.App
	// table holds the hosts; SetHosts replaces it whole (a configuration reload) while requests run.
	table   atomic.Pointer[hostTable]
	proxies []netip.Prefix
	log     *slog.Logger
	ready   func(ctx context.Context) error
	obs     Observer
	inst    string
}

// readBufferSize is fiber's per-connection read buffer, which bounds the request line and headers. Registered
// client_ids are signed JWTs of the client's metadata and id_token_hints are JWTs too: 16 KiB is the floor
// (docs/architecture.md §5); 32 KiB leaves room for both in one URL.
const readBufferSize = 32 << 10

// New builds the application with every route.
func New(o Options) (*Server, error) {
	table, err := newHostTable(o.Hosts)
	if err != nil {
		return nil, err
	}
	proxies, err := parseProxies(o.TrustedProxies)
	if err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BodyLimit == 0 {
		o.BodyLimit = 1 << 20
	}
	s := &Server{proxies: proxies, log: o.Logger, ready: o.Ready, obs: o.Observer, inst: o.Instance}
	s.table.Store(table)
	lim := o.Limits.withDefaults()
	s.app = fiber.New(fiber.Config{
		AppName:               "assentry",
		DisableStartupMessage: true,
		ReadBufferSize:        readBufferSize,
		BodyLimit:             o.BodyLimit,
		// fasthttp's ReadTimeout runs from the connection's opening (or a kept-alive request's first byte) to
		// the end of the request; applyLimits restarts it for the body once the headers are in.
		ReadTimeout:  lim.ReadHeaderTimeout,
		WriteTimeout: lim.WriteTimeout,
		IdleTimeout:  lim.IdleTimeout,
		Concurrency:  lim.MaxConnections,
		ErrorHandler: s.handleError,
		// Headers and parameters are copied before a handler returns; never keep fiber's buffers.
		Immutable: false,
		// Responses are encoded by goccy/go-json, the encoder fiber's documentation suggests: the same JSON as
		// encoding/json's, in a fraction of its time (token, introspection and userinfo answers are on every hot path).
		JSONEncoder: json.Marshal,
		JSONDecoder: json.Unmarshal,
	})
	applyLimits(s.app.Server(), lim)
	s.routes()
	return s, nil
}

// App returns the fiber application (tests drive it directly).
func (s *Server) App() *fiber.App { return s.app }

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits for running requests, up to ctx's deadline.
func (s *Server) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }

func (s *Server) routes() {
	a := s.app
	if s.obs != nil {
		a.Use(s.observe) // outermost: it sees every answer as sent, a recovered panic's 500 included
	}
	a.Use(s.recoverPanic, requestID, s.accessLog)
	// Probes answer whatever the Host header, so load balancers can use an address.
	a.Get("/healthz", s.healthz)
	a.Get("/readyz", s.readyz)
	a.Use(s.routeHost, s.securityHeaders)
	a.Get("/static/*", s.static)
	a.Get("/login", s.loginPage)
	a.Post("/login", s.loginSubmit)
	a.Get("/logout", s.logoutPage)
	a.Post("/logout", s.logoutSubmit)
	a.Get("/oauth2/logout", s.logoutPage)
	a.Post("/oauth2/logout", s.logoutSubmit)
	a.All("/oauth2/logout", methodNotAllowed("GET, POST"))
	// OpenID Connect: UserInfo (OIDC Core §5.3), JWKS, discovery (OIDC Discovery §4).
	a.Options("/oauth2/userinfo", cors("GET, POST"))
	a.Get("/oauth2/userinfo", cors("GET, POST"), s.userinfo)
	a.Post("/oauth2/userinfo", cors("GET, POST"), s.userinfo)
	a.All("/oauth2/userinfo", methodNotAllowed("GET, POST"))
	a.Options("/oauth2/jwks", cors("GET"))
	a.Get("/oauth2/jwks", cors("GET"), s.jwks)
	a.Options("/.well-known/openid-configuration", cors("GET"))
	a.Get("/.well-known/openid-configuration", cors("GET"), s.discovery)
	// RFC 8414 §3: the metadata of an issuer without a path.
	a.Options("/.well-known/oauth-authorization-server", cors("GET"))
	a.Get("/.well-known/oauth-authorization-server", cors("GET"), s.metadata)
	// Authorization endpoint (RFC 6749 §3.1) and the consent step; a CORS preflight to it is refused.
	a.Get("/oauth2/authorize", s.authorize)
	a.Post("/oauth2/authorize", s.authorize)
	a.Options("/oauth2/authorize", preflightRefused)
	a.All("/oauth2/authorize", methodNotAllowed("GET, POST"))
	a.Get("/consent", s.consentPage)
	a.Post("/consent", s.consentSubmit)
	a.All("/consent", methodNotAllowed("GET, POST"))
	// The account page (core/interaction): the signed-in user's applications, sessions and password.
	a.Get("/account", s.accountPage)
	a.All("/account", methodNotAllowed("GET"))
	a.Post("/account/revoke", s.accountRevoke)
	a.Post("/account/sessions", s.accountSessions)
	a.Post("/account/password", s.accountPassword)
	a.All("/account/revoke", methodNotAllowed("POST"))
	a.All("/account/sessions", methodNotAllowed("POST"))
	a.All("/account/password", methodNotAllowed("POST"))
	// Token endpoint, revocation and introspection (RFC 6749 §3.2, RFC 7009, RFC 7662): JSON, CORS.
	a.Options("/oauth2/token", cors("POST"))
	a.Post("/oauth2/token", cors("POST"), s.formEndpoint(tokenCall))
	a.Options("/oauth2/revoke", cors("POST"))
	a.Post("/oauth2/revoke", cors("POST"), s.formEndpoint(revokeCall))
	// Device authorization (RFC 8628): the device's JSON endpoint and the user's code entry page.
	a.Options("/oauth2/device", deviceServed, cors("POST"))
	a.Post("/oauth2/device", deviceServed, cors("POST"), s.formEndpoint(deviceAuthorizationCall))
	a.All("/oauth2/device", deviceServed, methodNotAllowed("POST"))
	a.Get("/device", deviceServed, s.devicePage)
	a.Post("/device", deviceServed, s.deviceSubmit)
	a.All("/device", deviceServed, methodNotAllowed("GET, POST"))
	// Pushed authorization requests (RFC 9126): a client-authenticated JSON endpoint, like the token endpoint.
	a.Options("/oauth2/par", cors("POST"))
	a.Post("/oauth2/par", cors("POST"), s.pushedAuthorizationRequest)
	a.All("/oauth2/par", methodNotAllowed("POST"))
	a.Options("/oauth2/introspect", cors("POST"))
	a.Post("/oauth2/introspect", cors("POST"), s.formEndpoint(introspectCall))
	// Dynamic client registration (RFC 7591): JSON, CORS; 404 while registration is off on the host.
	a.Options("/oauth2/register", cors("GET, POST"))
	a.Get("/oauth2/register", cors("GET, POST"), s.registerSchema)
	a.Post("/oauth2/register", cors("GET, POST"), s.register)
	a.All("/oauth2/register", methodNotAllowed("GET, POST"))
	a.All("/oauth2/token", methodNotAllowed("POST"))
	a.All("/oauth2/revoke", methodNotAllowed("POST"))
	a.All("/oauth2/introspect", methodNotAllowed("POST"))
	a.All("/login", methodNotAllowed("GET, POST"))
	a.All("/logout", methodNotAllowed("GET, POST"))
	a.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/login", fiber.StatusSeeOther) })
	a.Use(func(c *fiber.Ctx) error { noEndpoint(c); return fiber.ErrNotFound })
}

// methodNotAllowed answers 405 with Allow (docs/architecture.md §5).
func methodNotAllowed(allow string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderAllow, allow)
		return fiber.ErrMethodNotAllowed
	}
}

// recoverPanic turns a panic into a logged 500; the server keeps serving.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "err", r, "path", c.Path(), "request_id", requestIDOf(c))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}
