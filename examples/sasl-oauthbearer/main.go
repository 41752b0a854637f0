package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/assentry/assentry/oauthbearer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `usage:
  sasl-oauthbearer serve  -issuer URL -client-id ID [-listen 127.0.0.1:1143] [-scope S]... -audience A [-audience A]... [-cache-ttl 1m]
                          (introspection; the client secret in $SASL_EXAMPLE_CLIENT_SECRET)
  sasl-oauthbearer serve  -issuer URL -jwt-audience RESOURCE [-listen 127.0.0.1:1143] [-scope S]...
                          (JWT access tokens checked locally with the issuer's JWKS; no client, no secret)
  sasl-oauthbearer client [-addr 127.0.0.1:1143] [-authzid NAME]
                          (the access token in $SASL_EXAMPLE_TOKEN)
`

// run is the command: serve or client. getenv reads the secrets, which never go on a command line.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], getenv, stderr)
	case "client":
		var ok bool
		ok, err = runClient(args[1:], getenv, stdout, stderr)
		if err == nil && !ok {
			return 1
		}
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "sasl-oauthbearer:", err)
		return 1
	}
	return 0
}

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, " ") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// serverOptions are what the server needs to check tokens.
type serverOptions struct {
	Issuer, ClientID, ClientSecret string
	Scopes, Audiences              []string
	CacheTTL                       time.Duration
	// JWTAudience, when set, switches the server to JWT mode: tokens are RFC 9068 JWT access tokens verified
	// locally with the issuer's JWKS, and their aud must hold JWTAudience, the resource URI (RFC 8707) this
	// server is at Assentry (a host resource with access_token_format jwt, which clients ask for). No
	// introspection, so no client credentials, and no revocation before exp.
	JWTAudience string
	Now         func() time.Time // nil: time.Now
}

// newAuthenticator builds the Authenticator: in JWT mode a JWTVerifier for JWTAudience, else introspection with
// this server's client credentials (the endpoint found in the issuer's discovery document); the required scopes
// and audiences either way.
func newAuthenticator(ctx context.Context, o serverOptions) (*oauthbearer.Authenticator, error) {
	if o.JWTAudience != "" {
		// NewJWTVerifier reads the discovery document and fetches the JWKS now: a wrong issuer fails at start.
		v, err := oauthbearer.NewJWTVerifier(ctx, oauthbearer.JWTConfig{Issuer: o.Issuer, Audience: o.JWTAudience, Now: o.Now})
		if err != nil {
			return nil, err
		}
		return &oauthbearer.Authenticator{Verifier: v, RequiredScopes: o.Scopes, Audiences: o.Audiences,
			OpenIDConfiguration: oauthbearer.DiscoveryURL(o.Issuer)}, nil
	}
	meta, err := oauthbearer.Discover(ctx, nil, o.Issuer)
	if err != nil {
		return nil, err
	}
	if meta.IntrospectionEndpoint == "" {
		return nil, fmt.Errorf("%s publishes no introspection_endpoint", o.Issuer)
	}
	in, err := oauthbearer.NewIntrospector(oauthbearer.IntrospectionConfig{Endpoint: meta.IntrospectionEndpoint,
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, Issuer: meta.Issuer, CacheTTL: o.CacheTTL, Now: o.Now})
	if err != nil {
		return nil, err
	}
	a := &oauthbearer.Authenticator{Verifier: in, RequiredScopes: o.Scopes, Audiences: o.Audiences,
		OpenIDConfiguration: oauthbearer.DiscoveryURL(meta.Issuer)}
	// Without an audience any client's token of the issuer would sign in: refuse to start.
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("-audience is required: %w", err)
	}
	return a, nil
}

// runServe is the serve command: it checks its flags, builds the Authenticator (a wrong issuer or an unreachable
// Assentry fails here, at start) and serves until ctx ends.
func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:1143", "address to listen on (loopback only: the example has no TLS)")
	var o serverOptions
	var scopes, auds list
	fs.StringVar(&o.Issuer, "issuer", "", "the Assentry issuer URL")
	fs.StringVar(&o.ClientID, "client-id", "", "this server's client_id at Assentry (a confidential client with introspect)")
	fs.Var(&scopes, "scope", "a scope every token must carry (repeatable)")
	fs.Var(&auds, "audience", "an accepted audience, at least one: with Assentry, this server's resource or a client_id whose tokens this server takes (repeatable)")
	fs.DurationVar(&o.CacheTTL, "cache-ttl", oauthbearer.DefaultCacheTTL, "how long an active introspection answer is reused (the revocation delay)")
	fs.StringVar(&o.JWTAudience, "jwt-audience", "", "JWT mode: verify JWT access tokens locally with the issuer's JWKS, for this audience (the resource URI clients ask Assentry for)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Scopes, o.Audiences, o.ClientSecret = scopes, auds, getenv("SASL_EXAMPLE_CLIENT_SECRET")
	introspectionFlags := false
	fs.Visit(func(f *flag.Flag) {
		introspectionFlags = introspectionFlags || f.Name == "client-id" || f.Name == "cache-ttl"
	})
	switch {
	case o.Issuer == "":
		return errors.New("serve needs -issuer")
	case o.JWTAudience != "" && introspectionFlags:
		// Said at once rather than ignored: a server that thinks it introspects does not.
		return errors.New("-jwt-audience verifies tokens locally: -client-id and -cache-ttl are for introspection")
	case o.JWTAudience == "" && (o.ClientID == "" || o.ClientSecret == ""):
		return errors.New("serve needs -client-id and $SASL_EXAMPLE_CLIENT_SECRET (introspection), or -jwt-audience")
	}
	if err := requireLoopback(*listen); err != nil {
		return err
	}
	auth, err := newAuthenticator(ctx, o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	log.Info("listening", "addr", ln.Addr().String(), "issuer", o.Issuer, "jwt_audience", o.JWTAudience)
	return (&server{auth: auth, log: log}).serve(ctx, ln)
}

// requireLoopback refuses an address other than a loopback one: bearer tokens must not cross a network in
// the clear, and this example has no TLS (a real server offers OAUTHBEARER only over TLS, RFC 7628 §5).
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-listen %s: only a loopback IP address (127.0.0.1, ::1)", addr)
	}
	return nil
}

// runClient is the client command: one connection, one AUTHENTICATE with the token from the environment. It
// prints the failure JSON if the server sent one and the server's tagged answer, and reports whether it signed in.
func runClient(args []string, getenv func(string) string, stdout, stderr io.Writer) (bool, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:1143", "the server's address")
	authzid := fs.String("authzid", "", "the identity to act as (default: the token's user)")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	token := getenv("SASL_EXAMPLE_TOKEN")
	if token == "" {
		return false, errors.New("client needs the access token in $SASL_EXAMPLE_TOKEN")
	}
	host, portStr, err := net.SplitHostPort(*addr)
	if err != nil {
		return false, err
	}
	// host and port say where the client believes it connected (RFC 7628 §3.1); the server only logs them.
	port, _ := strconv.Atoi(portStr)
	conn, err := net.Dial("tcp", *addr)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	out, err := authenticate(conn, &oauthbearer.InitialResponse{Authzid: *authzid, Token: token, Host: host, Port: port})
	if err != nil {
		return false, err
	}
	if out.Failure != nil {
		fmt.Fprintf(stdout, "failure: %s\n", out.Failure.JSON())
	}
	fmt.Fprintln(stdout, out.Line)
	return out.OK, nil
}
