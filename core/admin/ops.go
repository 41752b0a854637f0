package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/core/token"
)

// Operation names.
const (
	OpUserAdd      = "user.add"
	OpUserPasswd   = "user.passwd"
	OpUserList     = "user.list"
	OpUserDel      = "user.del"
	OpUserRoles    = "user.roles"
	OpUserGroups   = "user.groups"
	OpUserDisable  = "user.disable"
	OpUserEnable   = "user.enable"
	OpClientAdd    = "client.add"
	OpClientUpdate = "client.update"
	OpClientRotate = "client.rotate-secret"
	OpClientList   = "client.list"
	OpClientDel    = "client.del"
	OpClientRevoke = "client.revoke"
	OpClientBans   = "client.revoked"
	OpKeysList     = "keys.list"
	OpKeysRotate   = "keys.rotate"
	// OpReload re-reads the running server's configuration. It concerns the server, not a host: the server's
	// dispatcher answers it, and Services.Do, which has no server, refuses it as unknown.
	OpReload = "server.reload"
)

// Request is one management operation for one host ("" = the only or first host).
type Request struct {
	Op   string          `json:"op"`
	Host string          `json:"host,omitempty"`
	Args json.RawMessage `json:"args,omitempty"`
}

// Response carries the JSON result or an error.
type Response struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// Error kinds, so the CLI can choose its message and exit status.
const (
	KindNotFound = "not_found"
	KindConflict = "conflict"
	KindInvalid  = "invalid"
	KindInternal = "internal"
)

// Error is a failed operation.
type Error struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// HostServices are the services of one host that management operations use.
type HostServices struct {
	Accounts *account.Service
	Clients  *oauth.Clients
	Keys     *token.Manager
	Registry *registration.Registry // nil while registration is off on the host
}

// Services dispatches requests to the services of each host.
type Services struct {
	Hosts   map[string]*HostServices
	Default string // the host used when a request names none
}

type handler func(ctx context.Context, hs *HostServices, args json.RawMessage) (any, error)

var handlers = map[string]handler{
	OpUserAdd: userAdd, OpUserPasswd: userPasswd, OpUserList: userList, OpUserDel: userDel,
	OpUserRoles: userRoles, OpUserGroups: userGroups, OpUserDisable: userSetDisabled(true),
	OpUserEnable: userSetDisabled(false), OpClientAdd: clientAdd, OpClientUpdate: clientUpdate,
	OpClientRotate: clientRotate, OpClientList: clientList, OpClientDel: clientDel,
	OpClientRevoke: clientRevoke, OpClientBans: clientBans,
	OpKeysList: keysList, OpKeysRotate: keysRotate,
}

// Do runs one request and never panics on bad input: every failure is a Response.Error.
func (s *Services) Do(ctx context.Context, req Request) Response {
	h, ok := handlers[req.Op]
	if !ok {
		return fail(&Error{Kind: KindInvalid, Message: fmt.Sprintf("unknown operation %q", req.Op)})
	}
	host := req.Host
	if host == "" {
		host = s.Default
	}
	hs, ok := s.Hosts[host]
	if !ok {
		return fail(&Error{Kind: KindNotFound, Message: fmt.Sprintf("unknown host %q", host)})
	}
	out, err := h(ctx, hs, req.Args)
	if err != nil {
		return fail(classify(err))
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fail(classify(err))
	}
	return Response{Result: b}
}

func fail(e *Error) Response { return Response{Error: e} }

// classify maps a service error to a kind; messages of internal errors are kept, since the caller is the
// operator.
func classify(err error) *Error {
	var ae *Error
	var ie *account.InvalidError
	var ce *oauth.ClientSpecError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, account.ErrNotFound), errors.Is(err, oauth.ErrClientNotFound), errors.Is(err, registration.ErrNotRegistered):
		return &Error{Kind: KindNotFound, Message: err.Error()}
	case errors.Is(err, account.ErrExists), errors.Is(err, oauth.ErrClientExists):
		return &Error{Kind: KindConflict, Message: err.Error()}
	case errors.As(err, &ie), errors.As(err, &ce), errors.Is(err, oauth.ErrFromConfig), errors.Is(err, token.ErrUnknownAlgorithm):
		return &Error{Kind: KindInvalid, Message: err.Error()}
	}
	return &Error{Kind: KindInternal, Message: err.Error()}
}

func decode(args json.RawMessage, v any) error {
	if len(args) == 0 {
		return nil
	}
	if err := json.Unmarshal(args, v); err != nil {
		return &Error{Kind: KindInvalid, Message: "bad arguments: " + err.Error()}
	}
	return nil
}
