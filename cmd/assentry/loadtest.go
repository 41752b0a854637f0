package main

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/assentry/assentry/internal/loadtest"
	"github.com/spf13/cobra"
)

func newLoadtestCmd() *cobra.Command {
	var (
		o         loadtest.Options
		tokenFile string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "loadtest --scenario NAME[,NAME...] [flags]",
		Short: "Measure an OAuth 2.0 server on this machine: req/s and latency per scenario (loopback targets only)",
		Long: `Sends a bounded load to an OAuth 2.0 server on this machine and reports, per scenario, the requests, the
errors by kind, req/s and latency p50/p90/p99/max. Only loopback targets are accepted (127.0.0.0/8, ::1, a
name that resolves to those alone). Each scenario runs for --warmup unrecorded, then for --duration or until
--requests, whichever comes first; SIGINT stops the run and reports what was measured.

Scenarios (run one after another, in the order given):
  client_credentials  POST /oauth2/token grant_type=client_credentials (--client-id/--client-secret, Basic)
  introspect          POST /oauth2/introspect with one token (--token, or one from client_credentials),
                      as --introspect-client-id (default: the same client)
  refresh             each worker rotates its own refresh token chain (its first token from a sign-in
                      through the code flow, or one per worker from --refresh-token-file)
  userinfo            GET /oauth2/userinfo with a bearer token from the code flow (scope with openid)
  code                the silent authorization code round trip: each worker signs in once through the
                      login and consent forms, then GET /oauth2/authorize (303 with a code) + the code
                      exchange; needs an exact https --redirect-uri registered for the client
  device              POST /oauth2/device, the user code entered and approved with the worker's
                      signed-in browser, then the redemption at /oauth2/token
  ceiling             a bare HTTP server started by this command on 127.0.0.1, for comparison`,
		Example: `  assentry loadtest --scenario ceiling,client_credentials,introspect --client-id ID --client-secret S
  assentry loadtest --scenario code,refresh,userinfo,device --client-id ID --client-secret S \
      --username alice --password 'correct horse battery' --duration 8s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if tokenFile != "" {
				toks, err := loadtest.ReadTokenFile(tokenFile)
				if err != nil {
					return usageError{"--refresh-token-file: " + err.Error()}
				}
				o.RefreshTokens = toks
			}
			if err := loadtest.Check(cmd.Context(), o); err != nil {
				return usageError{strings.ReplaceAll(err.Error(), "\n", "; ")}
			}
			o.Progress = cmd.ErrOrStderr()
			rep, err := loadtest.Run(cmd.Context(), o)
			if rep != nil && (len(rep.Scenarios) > 0 || err == nil) {
				if perr := printReport(cmd, rep, asJSON); perr != nil {
					return perr
				}
			}
			if err != nil {
				return err
			}
			if rep.Interrupted {
				return errors.New("interrupted")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.Scenarios, "scenario", nil, "scenario to run (repeatable, or comma-separated): "+
		strings.Join(loadtest.Scenarios(), ", "))
	f.StringVar(&o.Target, "target", loadtest.DefaultTarget, "base URL of the server (loopback only)")
	f.IntVar(&o.Workers, "workers", loadtest.DefaultWorkers, "concurrent workers, each with its own connection")
	f.DurationVar(&o.Duration, "duration", loadtest.DefaultDuration, "measured time of each scenario")
	f.DurationVar(&o.Warmup, "warmup", loadtest.DefaultWarmup, "unrecorded time before each scenario's measured time")
	f.Int64Var(&o.Requests, "requests", 0, "stop each scenario after this many requests too (0: --duration alone)")
	f.DurationVar(&o.Timeout, "timeout", loadtest.DefaultTimeout, "how long a request waits for its answer")
	f.StringVar(&o.ClientID, "client-id", "", "client_id")
	f.StringVar(&o.ClientSecret, "client-secret", "", "client secret (none: a public client)")
	f.StringVar(&o.ClientCredentialsScope, "client-credentials-scope", "", "scope of the client_credentials requests (default: none)")
	f.StringVar(&o.IntrospectClientID, "introspect-client-id", "", "client that introspects (default: --client-id)")
	f.StringVar(&o.IntrospectClientSecret, "introspect-client-secret", "", "its secret (default: --client-secret)")
	f.StringVar(&o.Token, "token", "", "token to introspect (default: one from client_credentials)")
	f.StringVar(&tokenFile, "refresh-token-file", "", "refresh tokens, one a line, one per worker (refresh without signing in)")
	f.StringVar(&o.Username, "username", "", "user the browser scenarios sign in as")
	f.StringVar(&o.Password, "password", "", "that user's password")
	f.StringVar(&o.RedirectURI, "redirect-uri", loadtest.DefaultRedirectURI, "the client's registered redirect URI (exact https, so consent is remembered)")
	f.StringVar(&o.Scope, "scope", loadtest.DefaultScope, "scope of the code, refresh, userinfo and device flows")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func printReport(cmd *cobra.Command, rep *loadtest.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(cmd.OutOrStdout())
}
