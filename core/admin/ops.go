package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/events"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/store"
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
	OpUserGet      = "user.get"
	// Grants (token chains) of a user: list them, end one, end them all.
	OpGrantList       = "grant.list"
	OpGrantRevoke     = "grant.revoke"
	OpGrantRevokeUser = "grant.revoke-user"
	// Server-wide operations: they take no host (Request.Host is ignored).
	OpHostsList        = "hosts.list"
	OpAdminTokenCreate = "admin-token.create"
	OpAdminTokenList   = "admin-token.list"
	OpAdminTokenRevoke = "admin-token.revoke"
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
	// KindUnavailable: the store is closed or cannot make a write durable now (full disk, failed sync); trying
	// again later may succeed.
	KindUnavailable = "unavailable"
)

// Error is a failed operation.
type Error struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

// HostServices are the services of one host that management operations use.
type HostServices struct {
	Info     HostInfo // what hosts.list shows of the host
	Accounts *account.Service
	Clients  *oauth.Clients
	Keys     *token.Manager
	Registry *registration.Registry // nil while registration is off on the host
	Grants   store.GrantStore       // the store's grants; the host's are those under Info.ID
	// Events receives the host's admin.action events and what the operations end (token chains, clients); nil
	// drops them.
	Events *events.Emitter
}

// Services dispatches requests to the services of each host.
type Services struct {
	Hosts   map[string]*HostServices
	Default string // the host used when a request names none
	// AdminTokens keeps the admin API's tokens (server-wide); nil refuses the admin-token operations.
	AdminTokens store.AdminTokenStore
	// Now is the clock of token creation and expiry; nil: time.Now.
	Now func() time.Time
	// Backup streams a backup of the store for `assentry backup` (POST /v1/backup); nil: not offered.
	Backup BackupFunc
}

// serverHandler is an operation on the server as a whole rather than on one host.
type serverHandler func(ctx context.Context, s *Services, args json.RawMessage) (any, error)

var serverHandlers = map[string]serverHandler{
	OpHostsList: hostsList, OpAdminTokenCreate: adminTokenCreate, OpAdminTokenList: adminTokenList,
	OpAdminTokenRevoke: adminTokenRevoke,
}

type handler func(ctx context.Context, hs *HostServices, args json.RawMessage) (any, error)

var handlers = map[string]handler{
	OpUserAdd: userAdd, OpUserPasswd: userPasswd, OpUserList: userList, OpUserDel: userDel,
	OpUserRoles: userRoles, OpUserGroups: userGroups, OpUserDisable: userSetDisabled(true),
	OpUserEnable: userSetDisabled(false), OpClientAdd: clientAdd, OpClientUpdate: clientUpdate,
	OpClientRotate: clientRotate, OpClientList: clientList, OpClientDel: clientDel,
	OpClientRevoke: clientRevoke, OpClientBans: clientBans,
	OpKeysList: keysList, OpKeysRotate: keysRotate, OpUserGet: userGet,
	OpGrantList: grantList, OpGrantRevoke: grantRevoke, OpGrantRevokeUser: grantRevokeUser,
	OpUserImport: userImport,
}

// Do runs one request and never panics on bad input: every failure is a Response.Error. Every request, refused
// ones included, is an admin.action event with its operation, host and outcome; the actor comes from ctx
// (events.WithActor: "uid:N" on the admin socket).
func (s *Services) Do(ctx context.Context, req Request) Response {
	host := req.Host
	if host == "" {
		host = s.Default
	}
	var resp Response
	if sh, ok := serverHandlers[req.Op]; ok {
		// A server-wide operation (hosts, admin tokens) is audited on the default host's log.
		host = s.Default
		resp = result(sh(ctx, s, req.Args))
	} else {
		resp = s.do(ctx, host, req)
	}
	ev := events.Event{Kind: events.AdminAction, Host: host, Op: req.Op, Outcome: events.OutcomeOK}
	if resp.Error != nil {
		ev.Outcome, ev.Reason = events.OutcomeFailed, resp.Error.Kind
	}
	s.emitterOf(host).Emit(ctx, ev)
	return resp
}

// AuditRefused implements Dispatcher: the refusal is audited on the default host's log, as server-wide
// operations are.
func (s *Services) AuditRefused(ctx context.Context, op, reason, ip string) {
	s.emitterOf(s.Default).Emit(ctx, events.Event{Kind: events.AdminAction, Host: s.Default, Op: op,
		Outcome: events.OutcomeFailed, Reason: reason, IP: ip})
}

// Audit records an event of the server as a whole (a reload) on the default host's log, as server-wide
// operations are.
func (s *Services) Audit(ctx context.Context, ev events.Event) {
	if ev.Host == "" {
		ev.Host = s.Default
	}
	s.emitterOf(s.Default).Emit(ctx, ev)
}

// emitterOf is the Emitter of host, or of the default host for a host that does not exist (the refused request
// is still audited).
func (s *Services) emitterOf(host string) *events.Emitter {
	hs, ok := s.Hosts[host]
	if !ok {
		hs, ok = s.Hosts[s.Default]
	}
	if !ok {
		return nil
	}
	return hs.Events
}

func (s *Services) do(ctx context.Context, host string, req Request) Response {
	h, ok := handlers[req.Op]
	if !ok {
		return fail(&Error{Kind: KindInvalid, Message: fmt.Sprintf("unknown operation %q", req.Op)})
	}
	hs, ok := s.Hosts[host]
	if !ok {
		return fail(&Error{Kind: KindNotFound, Message: fmt.Sprintf("unknown host %q", host)})
	}
	return result(h(ctx, hs, req.Args))
}

// result turns a handler's answer into a Response.
func result(out any, err error) Response {
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
	var pe *account.PasswordError
	var ce *oauth.ClientSpecError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, account.ErrNotFound), errors.Is(err, oauth.ErrClientNotFound), errors.Is(err, registration.ErrNotRegistered),
		errors.Is(err, store.ErrNotFound):
		return &Error{Kind: KindNotFound, Message: err.Error()}
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, store.ErrClosed):
		return &Error{Kind: KindUnavailable, Message: err.Error()}
	case errors.Is(err, account.ErrExists), errors.Is(err, oauth.ErrClientExists), errors.Is(err, store.ErrConflict):
		return &Error{Kind: KindConflict, Message: err.Error()}
	case errors.As(err, &ie), errors.As(err, &pe), errors.As(err, &ce), errors.Is(err, oauth.ErrFromConfig), errors.Is(err, token.ErrUnknownAlgorithm):
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
