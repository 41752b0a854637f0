package policy

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// callLog is an Observer recording every call it is told of.
type callLog struct {
	mu    sync.Mutex
	calls []string // host/plugin/hook/outcome
}

func (o *callLog) PolicyCall(host, plugin, hook, outcome string, took time.Duration) {
	if took < 0 {
		panic("negative duration")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, host+"/"+plugin+"/"+hook+"/"+outcome)
}

func TestObserverOutcomes(t *testing.T) {
	tests := []struct {
		name string
		p    *fake
		run  func(c *Chain) error
		want string
	}{
		{"consent approve", answer(HookConsent, `{"decision":"approve"}`), consent, "h1/p1/consent/approve"},
		{"consent deny", answer(HookConsent, `{"decision":"deny"}`), consent, "h1/p1/consent/deny"},
		{"consent ask", answer(HookConsent, `{"decision":"ask"}`), consent, "h1/p1/consent/ask"},
		{"data answer", answer(HookScopePolicy, `{"granted_scopes":["a"]}`), scope, "h1/p1/scope_policy/ok"},
		{"deadline", failing(HookScopePolicy, FailDeadline), scope, "h1/p1/scope_policy/timeout"},
		{"trap", failing(HookScopePolicy, FailTrap), scope, "h1/p1/scope_policy/trap"},
		{"garbage", answer(HookScopePolicy, `{"granted_scopes":`), scope, "h1/p1/scope_policy/invalid_output"},
		{"declared error", answer(HookScopePolicy, `{"error":{"code":"nope"}}`), scope, "h1/p1/scope_policy/declared_error"},
		{"plain error", &fake{errs: map[string]error{HookClaims: errors.New("boom")}}, claims, "h1/p1/claims/error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := &callLog{}
			opts := testOptions(&logs{})
			opts.Observer = obs
			c := chainOf(t, opts, OnErrorSkip, tt.p)
			_ = tt.run(c)
			if !slices.Equal(obs.calls, []string{tt.want}) {
				t.Fatalf("observed %q, want [%s]", obs.calls, tt.want)
			}
		})
	}
}

// TestObserverSkipsBuiltin: only plugin calls are reported; a chain of the built-in policy alone reports none.
func TestObserverSkipsBuiltin(t *testing.T) {
	obs := &callLog{}
	opts := testOptions(&logs{})
	opts.Observer = obs
	opts.Builtin.ScopePolicy = func(_ context.Context, in *ScopePolicyInput) (*ScopePolicyOutput, error) {
		return &ScopePolicyOutput{GrantedScopes: in.GrantedScopes}, nil
	}
	c := chainOf(t, opts, "")
	if err := scope(c); err != nil {
		t.Fatal(err)
	}
	if len(obs.calls) != 0 {
		t.Fatalf("observed %q for the built-in policy", obs.calls)
	}
}

func consent(c *Chain) error {
	_, err := c.Consent(context.Background(), &ConsentInput{})
	return err
}

func scope(c *Chain) error {
	_, err := c.ScopePolicy(context.Background(), &ScopePolicyInput{RequestedScopes: []string{"a"}})
	return err
}

func claims(c *Chain) error {
	_, err := c.Claims(context.Background(), &ClaimsInput{Target: TargetIDToken})
	return err
}
