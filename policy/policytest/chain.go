package policytest

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
)

// builtin is the suite's built-in policy: it keeps the scopes, approves consent, adds one claim.
var builtin = policy.Builtin{
	ScopePolicy: func(_ context.Context, in *policy.ScopePolicyInput) (*policy.ScopePolicyOutput, error) {
		return &policy.ScopePolicyOutput{GrantedScopes: in.GrantedScopes}, nil
	},
	Consent: func(context.Context, *policy.ConsentInput) (*policy.ConsentOutput, error) {
		return &policy.ConsentOutput{Decision: policy.DecisionApprove}, nil
	},
	Claims: func(context.Context, *policy.ClaimsInput) (*policy.ClaimsOutput, error) {
		return &policy.ClaimsOutput{Claims: map[string]any{"builtin": true}}, nil
	},
	MapRoles: func(_ context.Context, in *policy.MapRolesInput) (*policy.MapRolesOutput, error) {
		return &policy.MapRolesOutput{Roles: in.Roles}, nil
	},
}

var scopes = []string{"openid", "profile", "write"}

func scopeRequest() *policy.ScopePolicyInput {
	return &policy.ScopePolicyInput{Flow: policy.FlowAuthorizationCode, Client: policy.Client{ClientID: "app-1"},
		User: &policy.User{Sub: "u-alice", Roles: []string{"user"}}, RequestedScopes: scopes}
}

func consentRequest() *policy.ConsentInput {
	return &policy.ConsentInput{User: policy.User{Sub: "u-alice"}, Client: policy.Client{ClientID: "app-1"},
		RequestedScopes: []string{"openid"}, GrantedScopes: []string{"openid"}}
}

// chainWith builds a chain of the built-in policy and one fixture with on_error for its hook.
func (h *harness) chainWith(t *testing.T, name, hook, onError string) *policy.Chain {
	t.Helper()
	p := h.mustLoad(t, name, hostileLimits)
	c, err := policy.NewChain(policy.Options{Host: "policytest", Builtin: builtin, Roles: []string{"user"}, Log: TestLogger(t)},
		policy.Bound{Name: name, Plugin: p, OnError: map[string]string{hook: onError}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLogger is a slog.Logger writing to the test's log.
func TestLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// onError checks each on_error choice on timeouts, traps, garbage and declared errors.
func (h *harness) onError(t *testing.T) {
	for _, name := range []string{"infinite_loop", "trap", "invalid_json", "declared_error"} {
		t.Run(name+"/fail_closed", func(t *testing.T) {
			c := h.chainWith(t, name, policy.HookScopePolicy, policy.OnErrorFailClosed)
			out, err := c.ScopePolicy(context.Background(), scopeRequest())
			if !policy.IsFailClosed(err) {
				t.Fatalf("got (%+v, %v), want a *policy.FailClosedError", out, err)
			}
			var pe *policy.PluginError
			if name == "declared_error" && !errors.As(err, &pe) {
				t.Fatalf("got %v, want it to wrap the declared *policy.PluginError", err)
			}
			if name != "declared_error" && !policy.IsFailure(err, "") {
				t.Fatalf("got %v, want it to wrap a *policy.Failure", err)
			}
		})
		t.Run(name+"/skip", func(t *testing.T) {
			c := h.chainWith(t, name, policy.HookScopePolicy, policy.OnErrorSkip)
			out, err := c.ScopePolicy(context.Background(), scopeRequest())
			if err != nil || !slices.Equal(out.GrantedScopes, scopes) {
				t.Fatalf("got (%+v, %v), want the built-in answer %v", out, err, scopes)
			}
		})
	}
	for _, name := range []string{"consent_timeout", "consent_garbage"} {
		t.Run(name+"/ask", func(t *testing.T) {
			c := h.chainWith(t, name, policy.HookConsent, policy.OnErrorAsk)
			out, err := c.Consent(context.Background(), consentRequest())
			if err != nil || out.Decision != policy.DecisionAsk {
				t.Fatalf("got (%+v, %v), want ask although the built-in policy approves", out, err)
			}
		})
		t.Run(name+"/fail_closed", func(t *testing.T) {
			c := h.chainWith(t, name, policy.HookConsent, policy.OnErrorFailClosed)
			if out, err := c.Consent(context.Background(), consentRequest()); !policy.IsFailClosed(err) {
				t.Fatalf("got (%+v, %v), want a *policy.FailClosedError", out, err)
			}
		})
	}
	t.Run("oversized_output/default skip", func(t *testing.T) {
		c := h.chainWith(t, "oversized_output", policy.HookClaims, policy.DefaultOnError[policy.HookClaims])
		out, err := c.Claims(context.Background(), &policy.ClaimsInput{Target: policy.TargetIDToken})
		if err != nil || len(out.Claims) != 1 || out.Claims["builtin"] != true {
			t.Fatalf("got (%+v, %v), want only the built-in claim", out, err)
		}
	})
	t.Run("wrong_shape/default fail_closed", func(t *testing.T) {
		c := h.chainWith(t, "wrong_shape", policy.HookMapRoles, policy.DefaultOnError[policy.HookMapRoles])
		in := &policy.MapRolesInput{User: policy.User{Sub: "u-alice"}, Roles: []string{"user"}}
		if out, err := c.MapRoles(context.Background(), in); !policy.IsFailClosed(err) || !policy.IsFailure(err, policy.FailOutput) {
			t.Fatalf("got (%+v, %v), want a fail-closed invalid_output", out, err)
		}
	})
}

// keepsServing runs hostile plugins while a good one serves calls: every good call succeeds, during and after.
func (h *harness) keepsServing(t *testing.T) {
	good := h.mustLoad(t, "scope_narrow", goodLimits)
	want := canonical(t, policy.HookScopePolicy, []byte(Scenarios[0].Cases[0].Want))
	in := Envelope(t, policy.HookScopePolicy, scopeInput)
	for _, name := range []string{"infinite_loop", "alloc_unbounded", "deep_recursion", "huge_string", "trap"} {
		t.Run(name, func(t *testing.T) {
			s, _ := ScenarioNamed(name)
			bad := h.mustLoad(t, name, hostileLimits)
			var stop atomic.Bool
			var wg sync.WaitGroup
			var calls, failures atomic.Int64
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stop.Load() {
					out, err := good.Call(context.Background(), policy.HookScopePolicy, in)
					calls.Add(1)
					if err != nil || canonical(t, policy.HookScopePolicy, out) != want {
						failures.Add(1)
					}
				}
			}()
			start := time.Now()
			_, err := bad.Call(context.Background(), s.Hook, Envelope(t, s.Hook, s.Cases[0].Input))
			took := time.Since(start)
			// One more good call after the failure, then stop.
			for n := calls.Load(); calls.Load() < n+2; {
				time.Sleep(time.Millisecond)
			}
			stop.Store(true)
			wg.Wait()
			if err == nil {
				t.Fatal("the hostile plugin answered")
			}
			if failures.Load() != 0 {
				t.Fatalf("%d of %d calls to a good plugin failed while %s ran", failures.Load(), calls.Load(), name)
			}
			t.Logf("%s failed after %v (%v); %d good calls meanwhile", name, took, err, calls.Load())
		})
	}
}

// concurrent calls one plugin from many goroutines (more than its pool): every answer is right.
func (h *harness) concurrent(t *testing.T) {
	p := h.mustLoad(t, "scope_narrow", goodLimits)
	want := canonical(t, policy.HookScopePolicy, []byte(Scenarios[0].Cases[0].Want))
	in := Envelope(t, policy.HookScopePolicy, scopeInput)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				out, err := p.Call(context.Background(), policy.HookScopePolicy, in)
				if err == nil && canonical(t, policy.HookScopePolicy, out) != want {
					err = errors.New("wrong answer: " + string(out))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
