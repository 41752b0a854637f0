package loadtest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Scenario names, in the order `assentry loadtest --help` lists them.
const (
	ScenarioClientCredentials = "client_credentials"
	ScenarioIntrospect        = "introspect"
	ScenarioRefresh           = "refresh"
	ScenarioUserinfo          = "userinfo"
	ScenarioCode              = "code"
	ScenarioDevice            = "device"
	ScenarioCeiling           = "ceiling"
)

// Scenarios lists every scenario name.
func Scenarios() []string {
	return []string{ScenarioClientCredentials, ScenarioIntrospect, ScenarioRefresh, ScenarioUserinfo, ScenarioCode,
		ScenarioDevice, ScenarioCeiling}
}

// Defaults of the command's flags.
const (
	DefaultTarget      = "http://127.0.0.1:8080"
	DefaultWorkers     = 32
	DefaultDuration    = 10 * time.Second
	DefaultWarmup      = time.Second
	DefaultTimeout     = 10 * time.Second
	DefaultRedirectURI = "https://loadtest.example/cb"
	DefaultScope       = "openid profile offline_access"
	// MaxDuration bounds a scenario's measured phase whatever the flags say.
	MaxDuration = time.Hour
	// MaxWorkers bounds the concurrency.
	MaxWorkers = 4096
)

// Options are one run: the scenarios, each run one after another with the same bounds, and the credentials they
// need.
type Options struct {
	Target    string   // base URL; loopback only
	Scenarios []string // in order; each is run once
	Workers   int
	Duration  time.Duration // the measured phase of each scenario; required: every run is bounded in time
	Warmup    time.Duration // before it, not recorded
	Requests  int64         // 0: bounded by Duration alone; otherwise also by this many requests per scenario
	Timeout   time.Duration // one HTTP request's wait for its answer

	ClientID, ClientSecret string // "" secret: a public client (client_id in the form)
	// ClientCredentialsScope is the scope of client_credentials requests ("": none, the client's default).
	ClientCredentialsScope string
	// IntrospectClientID and IntrospectClientSecret authenticate introspection; "": the client's.
	IntrospectClientID, IntrospectClientSecret string
	// Token is the token to introspect; "": one is obtained with client_credentials.
	Token string
	// RefreshTokens are the starting refresh tokens of the refresh scenario, one per worker; nil: each worker
	// gets its own through the code flow.
	RefreshTokens []string

	Username, Password string // the user the browser scenarios sign in as
	RedirectURI        string // exact https URI registered for the client, so that consent is remembered
	Scope              string // scope of the browser flows (code, refresh, userinfo, device)

	// Progress, when set, gets a line as each scenario starts its setup and its measured phase.
	Progress io.Writer

	// started, when set, is called as each scenario's measured phase begins (tests).
	started func(scenario string)
}

// withDefaults returns o with the zero values replaced by the defaults; Duration has none.
func (o Options) withDefaults() Options {
	if o.Target == "" {
		o.Target = DefaultTarget
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.RedirectURI == "" {
		o.RedirectURI = DefaultRedirectURI
	}
	if o.Scope == "" {
		o.Scope = DefaultScope
	}
	if o.IntrospectClientID == "" {
		o.IntrospectClientID, o.IntrospectClientSecret = o.ClientID, o.ClientSecret
	}
	return o
}

// splitScenarios accepts repeated and comma-separated names.
func splitScenarios(in []string) []string {
	var out []string
	for _, s := range in {
		for _, name := range strings.Split(s, ",") {
			if name = strings.TrimSpace(name); name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}

// validate checks what needs no network: every problem at once.
func (o *Options) validate() error {
	var errs []error
	if len(o.Scenarios) == 0 {
		errs = append(errs, fmt.Errorf("no scenario: name one or more of %s", strings.Join(Scenarios(), ", ")))
	}
	for _, s := range o.Scenarios {
		if !slices.Contains(Scenarios(), s) {
			errs = append(errs, fmt.Errorf("unknown scenario %q (one of %s)", s, strings.Join(Scenarios(), ", ")))
		}
	}
	if o.Workers < 1 || o.Workers > MaxWorkers {
		errs = append(errs, fmt.Errorf("workers: %d, must be 1 to %d", o.Workers, MaxWorkers))
	}
	if o.Duration <= 0 || o.Duration > MaxDuration {
		errs = append(errs, fmt.Errorf("duration: %s, must be more than 0 and at most %s", o.Duration, MaxDuration))
	}
	if o.Warmup < 0 || o.Warmup > MaxDuration {
		errs = append(errs, fmt.Errorf("warmup: %s, must be 0 to %s", o.Warmup, MaxDuration))
	}
	if o.Requests < 0 {
		errs = append(errs, fmt.Errorf("requests: %d, must not be negative", o.Requests))
	}
	if o.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout: %s, must be more than 0", o.Timeout))
	}
	needs := func(what string, cond bool, scenarios ...string) {
		for _, s := range scenarios {
			if slices.Contains(o.Scenarios, s) && !cond {
				errs = append(errs, fmt.Errorf("scenario %s needs %s", s, what))
			}
		}
	}
	browser := []string{ScenarioUserinfo, ScenarioCode, ScenarioDevice}
	if o.RefreshTokens == nil {
		browser = append(browser, ScenarioRefresh)
	}
	needs("--client-id", o.ClientID != "", ScenarioClientCredentials, ScenarioRefresh, ScenarioUserinfo,
		ScenarioCode, ScenarioDevice)
	needs("--token, or --client-id and --client-secret to get one", o.Token != "" || (o.ClientID != "" && o.ClientSecret != ""),
		ScenarioIntrospect)
	needs("--introspect-client-id (or --client-id)", o.IntrospectClientID != "", ScenarioIntrospect)
	needs("--client-secret (client_credentials is for confidential clients)", o.ClientSecret != "",
		ScenarioClientCredentials)
	needs("--username and --password (or --refresh-token-file for refresh)", o.Username != "" && o.Password != "", browser...)
	if o.RefreshTokens != nil && slices.Contains(o.Scenarios, ScenarioRefresh) && len(o.RefreshTokens) < o.Workers {
		errs = append(errs, fmt.Errorf("refresh: %d refresh tokens for %d workers: give one per worker (each rotates its own chain)",
			len(o.RefreshTokens), o.Workers))
	}
	if !strings.HasPrefix(o.RedirectURI, "https://") && !strings.HasPrefix(o.RedirectURI, "http://") {
		errs = append(errs, fmt.Errorf("redirect-uri %q: must be an absolute http(s) URI", o.RedirectURI))
	}
	return errors.Join(errs...)
}
