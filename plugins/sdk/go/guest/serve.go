package guest

import "sync"

// Serving a hook: parse the input, decode it, call the plugin's function, encode its decision or its error.
// These take and return JSON bytes so plugins can test their decisions on the host; abi_wasip1.go wires them
// to the guest's exports.

// Error is a plugin-declared error (docs/policy-abi.md, "Outcomes", outcome 2): {"error": {"code", "description"}}. The host
// applies the binding's on_error.
type Error struct {
	Code        string
	Description string
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

// Hook function types.
type (
	InitFunc                 func(*InitInput) error
	ValidateRegistrationFunc func(*ValidateRegistrationInput) (*ValidateRegistrationOutput, error)
	MapRolesFunc             func(*MapRolesInput) (*MapRolesOutput, error)
	ScopePolicyFunc          func(*ScopePolicyInput) (*ScopePolicyOutput, error)
	ConsentFunc              func(*ConsentInput) (*ConsentOutput, error)
	ClaimsFunc               func(*ClaimsInput) (*ClaimsOutput, error)
)

// errorJSON encodes an error as the ABI's declared error; an error that is not an *Error gets the code
// "plugin_error".
func errorJSON(err error) []byte {
	e, ok := err.(*Error)
	if !ok {
		e = &Error{Code: "plugin_error", Description: err.Error()}
	}
	var inner, outer Object
	inner.Str("code", e.Code)
	if e.Description != "" {
		inner.Str("description", e.Description)
	}
	outer.Object("error", &inner)
	return outer.Bytes()
}

var errNoDecision = &Error{Code: "plugin_error", Description: "the hook returned no decision"}

// docs holds the token indexes of hook inputs, reused from call to call: the Values of a hook's input (and
// the Raw fields of its decoded structs) are valid during the call only.
var docs = sync.Pool{New: func() any { return new(doc) }}

// parse parses a hook's input in place; a bad input (the host never sends one) is a declared error. done
// returns the index to the pool.
func parse(input []byte) (v Value, done func(), bad []byte) {
	d := docs.Get().(*doc)
	done = func() { d.src = nil; docs.Put(d) }
	v, err := d.parse(input)
	if err != nil {
		return v, done, errorJSON(&Error{Code: "invalid_input", Description: err.Error()})
	}
	return v, done, nil
}

// ServeInit runs f (nil: nothing to do) on an init input: {} or the error. The config Value lasts.
func ServeInit(input []byte, f InitFunc) []byte {
	v, err := Parse(input)
	if err != nil {
		return errorJSON(&Error{Code: "invalid_input", Description: err.Error()})
	}
	if f != nil {
		in := InitInput{Envelope: decodeEnvelope(v), PluginName: v.Get("plugin").Get("name").Str(), Config: v.Get("config")}
		if err := f(&in); err != nil {
			return errorJSON(err)
		}
	}
	return []byte("{}")
}

// ServeValidateRegistration runs f on a validate_registration input.
func ServeValidateRegistration(input []byte, f ValidateRegistrationFunc) []byte {
	v, done, bad := parse(input)
	defer done()
	if bad != nil {
		return bad
	}
	auth, req := v.Get("auth"), v.Get("request")
	in := ValidateRegistrationInput{
		Envelope: decodeEnvelope(v), Operation: v.Get("operation").Str(), ClientID: v.Get("client_id").Str(),
		Metadata: v.Get("metadata"),
		AuthKind: auth.Get("kind").Str(), RemoteAddr: req.Get("remote_addr").Str(), UserAgent: req.Get("user_agent").Str(),
	}
	return decision(f(&in))
}

// ServeMapRoles runs f on a map_roles input.
func ServeMapRoles(input []byte, f MapRolesFunc) []byte {
	v, done, bad := parse(input)
	defer done()
	if bad != nil {
		return bad
	}
	in := MapRolesInput{Envelope: decodeEnvelope(v), User: decodeUser(v.Get("user")), Roles: v.Get("roles").Strings()}
	if c := v.Get("client"); c.Kind() == KindObject {
		cl := decodeClient(c)
		in.Client = &cl
	}
	return decision(f(&in))
}

// ServeScopePolicy runs f on a scope_policy input.
func ServeScopePolicy(input []byte, f ScopePolicyFunc) []byte {
	v, done, bad := parse(input)
	defer done()
	if bad != nil {
		return bad
	}
	in := ScopePolicyInput{
		Envelope: decodeEnvelope(v), Flow: v.Get("flow").Str(), Client: decodeClient(v.Get("client")),
		RequestedScopes: v.Get("requested_scopes").Strings(), GrantedScopes: v.Get("granted_scopes").Strings(),
		Resource: v.Get("resource").Strings(),
	}
	if u := v.Get("user"); u.Kind() == KindObject {
		user := decodeUser(u)
		in.User = &user
	}
	return decision(f(&in))
}

// ServeConsent runs f on a consent input.
func ServeConsent(input []byte, f ConsentFunc) []byte {
	v, done, bad := parse(input)
	defer done()
	if bad != nil {
		return bad
	}
	in := ConsentInput{
		Envelope: decodeEnvelope(v), User: decodeUser(v.Get("user")), Client: decodeClient(v.Get("client")),
		RequestedScopes: v.Get("requested_scopes").Strings(), GrantedScopes: v.Get("granted_scopes").Strings(),
		PreviouslyConsented: v.Get("previously_consented").Bool(), Prompt: v.Get("prompt").Str(),
	}
	return decision(f(&in))
}

// ServeClaims runs f on a claims input.
func ServeClaims(input []byte, f ClaimsFunc) []byte {
	v, done, bad := parse(input)
	defer done()
	if bad != nil {
		return bad
	}
	in := ClaimsInput{
		Envelope: decodeEnvelope(v), User: decodeUser(v.Get("user")), Client: decodeClient(v.Get("client")),
		Scopes: v.Get("scopes").Strings(), Target: v.Get("target").Str(),
	}
	return decision(f(&in))
}

// decision encodes a hook's decision, or its error; a nil decision without an error is errNoDecision.
func decision[O any, P interface {
	*O
	AppendJSON([]byte) []byte
}](out P, err error) []byte {
	switch {
	case err != nil:
		return errorJSON(err)
	case out == nil:
		return errorJSON(errNoDecision)
	}
	return out.AppendJSON(make([]byte, 0, 128))
}
