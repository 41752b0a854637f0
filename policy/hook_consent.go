package policy

import (
	"context"
	"maps"
	"strings"
)

// Consent decides the consent step. The built-in policy and each plugin answer approve, deny or ask; deny wins
// over ask, ask over approve (the first deny ends the chain), and the page data of every ask is merged (template
// and map entries: a later answer wins; notices are appended). With no answer at all the user is asked. A failing
// plugin counts as ask, or fails the request closed, per on_error: a failure never approves. Then the prompt
// rules: prompt=consent turns approve into ask, and prompt=none turns ask into DecisionConsentRequired, which the
// core answers with error=consent_required. Remember is set on approve only: false when any approving answer
// said false, else true when one said true.
func (c *Chain) Consent(ctx context.Context, in *ConsentInput) (*ConsentOutput, error) {
	s := c.acquire()
	defer s.release()
	req := *in
	c.fill(ctx, HookConsent, &req.Envelope)
	var acc consentAcc
	if f := c.opts.Builtin.Consent; f != nil && c.builtinOn(HookConsent) {
		out, err := f(ctx, &req)
		if err != nil {
			return nil, err
		}
		if acc.add(out, DecidedByBuiltin) {
			return c.prompted(in.Prompt, acc.result()), nil
		}
	}
	for _, e := range s.hooks[HookIndex(HookConsent)] {
		dec, err := c.call(ctx, e, HookConsent, &req, req.RequestID)
		if err != nil {
			// docs/policy-abi.md, "consent" and "Configuration" (on_error): a failure gives ask or fails
			// closed, never approve; skip is refused by config validation and treated as ask here.
			if e.onError == OnErrorFailClosed {
				return nil, failClosed(e, HookConsent, err)
			}
			acc.add(&ConsentOutput{Decision: DecisionAsk}, e.name)
			continue
		}
		if acc.add(dec.(*ConsentOutput), e.name) {
			break
		}
	}
	return c.prompted(in.Prompt, acc.result()), nil
}

// consentAcc combines consent answers.
type consentAcc struct {
	answered, asked, denied bool
	out                     ConsentOutput
	page                    ConsentPage
	remember                *bool
}

// add folds in one answer, given by by (a plugin's name or DecidedByBuiltin), and reports whether it was a deny
// (which ends the chain).
func (a *consentAcc) add(o *ConsentOutput, by string) bool {
	a.answered = true
	switch o.Decision {
	case DecisionDeny:
		a.denied = true
		a.out = ConsentOutput{Decision: DecisionDeny, ErrorDescription: o.ErrorDescription, DecidedBy: by}
		return true
	case DecisionAsk:
		a.asked = true
		if p := o.Page; p != nil {
			if p.Template != "" {
				a.page.Template = p.Template
			}
			a.page.ScopeDescriptions = mergeInto(a.page.ScopeDescriptions, p.ScopeDescriptions)
			a.page.Notices = append(a.page.Notices, p.Notices...)
			a.page.Extra = mergeInto(a.page.Extra, p.Extra)
		}
	case DecisionApprove:
		if o.Remember != nil && (a.remember == nil || *a.remember) {
			v := *o.Remember
			a.remember = &v
		}
	default: // only the built-in policy can get here (plugin answers are checked): never approve by mistake
		a.asked = true
	}
	return false
}

func mergeInto[V any](dst, src map[string]V) map[string]V {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[string]V, len(src))
	}
	maps.Copy(dst, src)
	return dst
}

// result is the combined decision before the prompt rules.
func (a *consentAcc) result() *ConsentOutput {
	switch {
	case a.denied:
		return &a.out
	case a.asked || !a.answered:
		out := &ConsentOutput{Decision: DecisionAsk}
		if a.page.Template != "" || a.page.ScopeDescriptions != nil || a.page.Notices != nil || a.page.Extra != nil {
			p := a.page
			out.Page = &p
		}
		return out
	}
	return &ConsentOutput{Decision: DecisionApprove, Remember: a.remember}
}

// prompted applies the OIDC prompt rules to a combined decision.
func (c *Chain) prompted(prompt string, out *ConsentOutput) *ConsentOutput {
	values := strings.Fields(prompt)
	if out.Decision == DecisionApprove && contains(values, "consent") {
		// prompt=consent: the user is asked even when a policy would approve.
		out = &ConsentOutput{Decision: DecisionAsk}
	}
	if out.Decision == DecisionAsk && contains(values, "none") {
		// OIDC Core §3.1.2.6: no page may be shown, so the answer is consent_required.
		out = &ConsentOutput{Decision: DecisionConsentRequired, Page: out.Page}
	}
	return out
}
