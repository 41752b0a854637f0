package policy

import (
	"context"
	"reflect"
	"testing"
)

func TestConsent(t *testing.T) {
	approve := func() *fake { return answer(HookConsent, `{"decision":"approve"}`) }
	ask := func(page string) *fake { return answer(HookConsent, `{"decision":"ask","page":`+page+`}`) }
	builtinAsk := Builtin{Consent: func(context.Context, *ConsentInput) (*ConsentOutput, error) {
		return &ConsentOutput{Decision: DecisionAsk}, nil
	}}
	yes, no := true, false
	tests := []struct {
		name     string
		builtin  Builtin
		plugins  []*fake
		onError  string
		prompt   string
		want     ConsentOutput
		notAfter int // the plugin at this index (1-based) must not have run
	}{
		{name: "nothing answers: ask", want: ConsentOutput{Decision: DecisionAsk}},
		{name: "approve", plugins: []*fake{approve()}, want: ConsentOutput{Decision: DecisionApprove}},
		{name: "ask beats approve", plugins: []*fake{approve(), ask(`{"notices":["n1"]}`), approve()},
			want: ConsentOutput{Decision: DecisionAsk, Page: &ConsentPage{Notices: []string{"n1"}}}},
		{name: "builtin ask beats a plugin approve", builtin: builtinAsk, plugins: []*fake{approve()},
			want: ConsentOutput{Decision: DecisionAsk}},
		{name: "a builtin answer without a decision asks", plugins: []*fake{approve()},
			builtin: Builtin{Consent: func(context.Context, *ConsentInput) (*ConsentOutput, error) { return &ConsentOutput{}, nil }},
			want:    ConsentOutput{Decision: DecisionAsk}},
		{name: "deny beats everything and ends the chain",
			plugins: []*fake{ask(`{}`), answer(HookConsent, `{"decision":"deny","error_description":"blocked"}`), approve()},
			want:    ConsentOutput{Decision: DecisionDeny, ErrorDescription: "blocked", DecidedBy: "p2"}, notAfter: 3},
		{name: "page data of every ask merged",
			plugins: []*fake{
				ask(`{"template":"a","scope_descriptions":{"s1":"one","s2":"two"},"notices":["n1"],"extra":{"x":1}}`),
				ask(`{"template":"b","scope_descriptions":{"s2":"TWO"},"notices":["n2"],"extra":{"y":2}}`)},
			want: ConsentOutput{Decision: DecisionAsk, Page: &ConsentPage{Template: "b",
				ScopeDescriptions: map[string]string{"s1": "one", "s2": "TWO"}, Notices: []string{"n1", "n2"},
				Extra: map[string]any{"x": 1.0, "y": 2.0}}}},
		{name: "prompt=consent turns approve into ask", plugins: []*fake{approve()}, prompt: "login consent",
			want: ConsentOutput{Decision: DecisionAsk}},
		{name: "prompt=none with ask: consent_required", plugins: []*fake{ask(`{}`)}, prompt: "none",
			want: ConsentOutput{Decision: DecisionConsentRequired}},
		{name: "prompt=none with approve", plugins: []*fake{approve()}, prompt: "none",
			want: ConsentOutput{Decision: DecisionApprove}},
		{name: "prompt=none with deny", plugins: []*fake{answer(HookConsent, `{"decision":"deny"}`)}, prompt: "none",
			want: ConsentOutput{Decision: DecisionDeny, DecidedBy: "p1"}},
		{name: "a failure asks, never approves", plugins: []*fake{approve(), failing(HookConsent, FailTrap), approve()},
			onError: OnErrorAsk, want: ConsentOutput{Decision: DecisionAsk}},
		{name: "skip is treated as ask", plugins: []*fake{approve(), failing(HookConsent, FailTrap)},
			onError: OnErrorSkip, want: ConsentOutput{Decision: DecisionAsk}},
		{name: "a declared error asks", plugins: []*fake{approve(), answer(HookConsent, `{"error":{"code":"x"}}`)},
			want: ConsentOutput{Decision: DecisionAsk}},
		{name: "remember: true when one approver says so",
			plugins: []*fake{approve(), answer(HookConsent, `{"decision":"approve","remember":true}`)},
			want:    ConsentOutput{Decision: DecisionApprove, Remember: &yes}},
		{name: "remember: false wins",
			plugins: []*fake{answer(HookConsent, `{"decision":"approve","remember":false}`), answer(HookConsent, `{"decision":"approve","remember":true}`)},
			want:    ConsentOutput{Decision: DecisionApprove, Remember: &no}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l logs
			opts := testOptions(&l)
			opts.Builtin = tt.builtin
			c := chainOf(t, opts, tt.onError, tt.plugins...)
			out, err := c.Consent(context.Background(), &ConsentInput{Prompt: tt.prompt})
			if err != nil || !reflect.DeepEqual(*out, tt.want) {
				t.Fatalf("got (%+v, %v), want %+v", out, err, tt.want)
			}
			if tt.notAfter > 0 && tt.plugins[tt.notAfter-1].calls() != 0 {
				t.Fatal("a plugin after a deny ran")
			}
		})
	}
	t.Run("fail_closed", func(t *testing.T) {
		var l logs
		c := chainOf(t, testOptions(&l), OnErrorFailClosed, approve(), failing(HookConsent, FailDeadline))
		if out, err := c.Consent(context.Background(), &ConsentInput{}); !IsFailClosed(err) {
			t.Fatalf("got (%+v, %v), want a fail-closed error", out, err)
		}
	})
}
