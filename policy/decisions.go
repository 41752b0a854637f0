package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// Decisions of validate_registration.
const (
	DecisionAccept = "accept"
	DecisionReject = "reject"
)

// DecisionConsentRequired is the consent outcome the chain gives when prompt=none meets an ask: the core answers
// the authorization request with error=consent_required (OIDC Core §3.1.2.6). No plugin returns it.
const DecisionConsentRequired = "consent_required"

// RegistrationErrors are the error codes a validate_registration reject may carry (RFC 7591 §3.2.2).
var RegistrationErrors = []string{"invalid_redirect_uri", "invalid_client_metadata", "invalid_software_statement",
	"unapproved_software_statement"}

// HookIndex returns the position of hook in Hooks, or -1 when it is not a hook name.
func HookIndex(hook string) int { return slices.Index(Hooks, hook) }

// NewInput returns a pointer to a zero input struct of hook (e.g. *ScopePolicyInput), or nil for an unknown hook.
// Tools decode a JSON input into it.
func NewInput(hook string) any {
	switch hook {
	case HookValidateRegistration:
		return &ValidateRegistrationInput{}
	case HookMapRoles:
		return &MapRolesInput{}
	case HookScopePolicy:
		return &ScopePolicyInput{}
	case HookConsent:
		return &ConsentInput{}
	case HookClaims:
		return &ClaimsInput{}
	}
	return nil
}

// NewOutput returns a pointer to a zero decision struct of hook (e.g. *ScopePolicyOutput), or nil for an unknown
// hook. Engines that convert a guest value into JSON walk its type, so that an empty Lua table becomes [] where
// the decision has an array and {} where it has an object.
func NewOutput(hook string) any {
	switch hook {
	case HookValidateRegistration:
		return &ValidateRegistrationOutput{}
	case HookMapRoles:
		return &MapRolesOutput{}
	case HookScopePolicy:
		return &ScopePolicyOutput{}
	case HookConsent:
		return &ConsentOutput{}
	case HookClaims:
		return &ClaimsOutput{}
	}
	return nil
}

// DecodeOutput decodes a plugin's JSON answer for hook: a decision (returned as the hook's *Output type) or a
// plugin-declared error (returned as *PluginError with a nil decision). A wrong shape (not JSON, roles not an
// array, an unknown decision, a missing required field) is an error; unknown fields are ignored. Engines may call
// it to discard an instance that answered garbage; the chain calls it on every answer.
func DecodeOutput(hook string, data []byte) (any, *PluginError, error) {
	if pe, err := declaredError(data); pe != nil || err != nil {
		return nil, pe, err
	}
	out := NewOutput(hook)
	if out == nil {
		return nil, nil, fmt.Errorf("unknown hook %q", hook)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return nil, nil, shapeError(err)
	}
	if err := out.(checker).check(); err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

// declaredError recognises a declared error (docs/policy-abi.md, "Outcomes", outcome 2), {"error": {"code", "description"}}. validate_registration's
// reject also has an "error" member, but a string: only an object is a declared error.
func declaredError(data []byte) (*PluginError, error) {
	if !bytes.Contains(data, []byte(`"error"`)) {
		return nil, nil
	}
	var probe struct {
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, shapeError(err)
	}
	if len(probe.Error) == 0 || probe.Error[0] != '{' {
		return nil, nil
	}
	var pe PluginError
	if err := json.Unmarshal(probe.Error, &pe); err != nil {
		return nil, shapeError(err)
	}
	if pe.Code == "" {
		return nil, errors.New(`error: a declared error needs a "code"`)
	}
	return &pe, nil
}

// shapeError rewords a JSON decoding error for an operator.
func shapeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "decision"
		}
		return fmt.Errorf("%s: want %s, got %s", field, kindName(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not JSON: %v", err)
	}
	return err
}

// kindName names a JSON kind for messages.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Pointer:
		return kindName(t.Elem())
	case reflect.Interface:
		return "any value"
	}
	return "a number"
}

// checker is implemented by every decision type: it reports a missing required field or an unknown decision.
type checker interface{ check() error }

func (o *ValidateRegistrationOutput) check() error {
	switch o.Decision {
	case DecisionAccept:
		return nil
	case DecisionReject:
		if o.Error != "" && !slices.Contains(RegistrationErrors, o.Error) {
			return fmt.Errorf("error: %q is not a registration error (%v)", o.Error, RegistrationErrors)
		}
		return nil
	case "":
		return errors.New("decision: required (accept or reject)")
	}
	return fmt.Errorf("decision: %q must be accept or reject", o.Decision)
}

func (o *MapRolesOutput) check() error {
	if o.Roles == nil {
		return errors.New("roles: required (an array)")
	}
	return nil
}

func (o *ScopePolicyOutput) check() error {
	if o.GrantedScopes == nil {
		return errors.New("granted_scopes: required (an array)")
	}
	return nil
}

func (o *ConsentOutput) check() error {
	switch o.Decision {
	case DecisionApprove, DecisionDeny, DecisionAsk:
		return nil
	case "":
		return errors.New("decision: required (approve, deny or ask)")
	}
	return fmt.Errorf("decision: %q must be approve, deny or ask", o.Decision)
}

func (o *ClaimsOutput) check() error { return nil }
