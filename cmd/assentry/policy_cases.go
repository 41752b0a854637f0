package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/cases"
	"github.com/spf13/cobra"
)

// runCases is `assentry policy test --cases`: every case of the file in order, judged as the plugins' Go tests
// judge them (package cases), stopping at the first mismatch.
func runCases(cmd *cobra.Command, pluginFile, casesFile, configFile string) error {
	f, err := cases.Read(casesFile)
	if err != nil {
		return usageError{err.Error()}
	}
	if configFile != "" {
		if f.Config, err = readPluginConfig(configFile); err != nil {
			return err
		}
	}
	r := &cases.Runner{Load: func(ctx context.Context, cfg map[string]any) (policy.Plugin, error) {
		return loadPlugin(ctx, cmd.ErrOrStderr(), pluginFile, cfg)
	}}
	defer r.Close(context.Background())
	out := cmd.OutOrStdout()
	for i := range f.Cases {
		if err := r.Run(cmd.Context(), f, i); err != nil {
			fmt.Fprintf(out, "FAIL %s\n", f.CaseName(i))
			return err
		}
		fmt.Fprintf(out, "ok   %s\n", f.CaseName(i))
	}
	fmt.Fprintf(out, "%d cases passed\n", len(f.Cases))
	return nil
}

// expectable are the decisions --expect accepts, by hook: the hooks whose answer is a decision.
var expectable = map[string][]string{
	policy.HookValidateRegistration: {policy.DecisionAccept, policy.DecisionReject},
	policy.HookConsent:              {policy.DecisionApprove, policy.DecisionAsk, policy.DecisionDeny},
}

// checkExpect refuses an --expect value that hook can never answer.
func checkExpect(hook, expect string) error {
	if expect == "" {
		return nil
	}
	for h, list := range expectable {
		if slices.Contains(list, expect) {
			if h != hook {
				return usageError{fmt.Sprintf("--expect %s: a decision of %s, not of %s", expect, h, hook)}
			}
			return nil
		}
	}
	return usageError{fmt.Sprintf("--expect %q: one of accept, reject (validate_registration), approve, ask, deny (consent)", expect)}
}

// decisionOf is the decision member of a hook's answer ("" for the hooks without one).
func decisionOf(dec any) string {
	switch d := dec.(type) {
	case *policy.ValidateRegistrationOutput:
		return d.Decision
	case *policy.ConsentOutput:
		return d.Decision
	}
	return ""
}
