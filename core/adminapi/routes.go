package adminapi

import (
	"net/http"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/token"
)

// route is one endpoint: an admin operation, the scope it needs, and the types of its body and answer, from
// which the OpenAPI document is generated. Path parameters other than {host} become the operation's argument of
// the same JSON name (username, client_id, grant_id) and override the body's, so a body never reaches another
// record than its URL names.
type route struct {
	Method  string
	Pattern string
	Op      string // the core/admin operation
	Scope   string // admin.ScopeRead: any token; admin.ScopeWrite: write tokens only
	Status  int    // on success; 204 when Result is nil
	Body    any    // a value of the request body's type; nil: no body
	Result  any    // a value of the answer's type; nil: no body
	Tag     string
	Summary string
}

// Request bodies that carry one field of a user.
type (
	passwordBody struct {
		Password string `json:"password"`
	}
	rolesBody struct {
		Roles []string `json:"roles"`
	}
	groupsBody struct {
		Groups []string `json:"groups"`
	}
)

const (
	read  = admin.ScopeRead
	write = admin.ScopeWrite
)

// routes is the API. Every route is documented in the OpenAPI document and nothing else is routed (besides
// /v1/openapi.json, /v1/backup and /metrics, which are not operations of the dispatcher).
var routes = []route{
	{http.MethodGet, "/v1/hosts", admin.OpHostsList, read, http.StatusOK, nil, []admin.HostInfo{}, "hosts",
		"List the hosts this server serves"},

	{http.MethodGet, "/v1/hosts/{host}/users", admin.OpUserList, read, http.StatusOK, nil, []admin.UserView{}, "users",
		"List the host's users, ordered by username"},
	{http.MethodPost, "/v1/hosts/{host}/users", admin.OpUserAdd, write, http.StatusCreated, admin.UserArgs{}, admin.UserView{}, "users",
		"Create a user (roles default to the host's default role)"},
	{http.MethodGet, "/v1/hosts/{host}/users/{username}", admin.OpUserGet, read, http.StatusOK, nil, admin.UserView{}, "users",
		"Get one user"},
	{http.MethodDelete, "/v1/hosts/{host}/users/{username}", admin.OpUserDel, write, 0, nil, nil, "users",
		"Delete a user: its sessions and grants end, its id is never reused"},
	{http.MethodPut, "/v1/hosts/{host}/users/{username}/password", admin.OpUserPasswd, write, 0, passwordBody{}, nil, "users",
		"Set a user's password (ends its sessions and token chains)"},
	{http.MethodPut, "/v1/hosts/{host}/users/{username}/roles", admin.OpUserRoles, write, 0, rolesBody{}, nil, "users",
		"Set a user's roles (from the host's role catalogue)"},
	{http.MethodPut, "/v1/hosts/{host}/users/{username}/groups", admin.OpUserGroups, write, 0, groupsBody{}, nil, "users",
		"Set a user's groups"},
	{http.MethodPost, "/v1/hosts/{host}/users/{username}/disable", admin.OpUserDisable, write, 0, nil, nil, "users",
		"Disable a user and end its sessions and token chains"},
	{http.MethodPost, "/v1/hosts/{host}/users/{username}/enable", admin.OpUserEnable, write, 0, nil, nil, "users",
		"Enable a disabled user"},

	{http.MethodPost, "/v1/hosts/{host}/user-imports", admin.OpUserImport, write, http.StatusOK, admin.ImportArgs{}, admin.ImportResult{}, "users",
		"Import accounts from another server (assentry user import-prosody): SCRAM credentials are replaced by argon2id at each user's first login; taken or invalid usernames are skipped, never overwritten"},

	{http.MethodGet, "/v1/hosts/{host}/users/{username}/grants", admin.OpGrantList, read, http.StatusOK, nil, []admin.GrantView{}, "grants",
		"List a user's live grants (token chains), newest first"},
	{http.MethodDelete, "/v1/hosts/{host}/users/{username}/grants", admin.OpGrantRevokeUser, write, http.StatusOK, nil, admin.GrantsRevoked{}, "grants",
		"Revoke every grant of a user in one write"},
	{http.MethodDelete, "/v1/hosts/{host}/grants/{grant_id}", admin.OpGrantRevoke, write, 0, nil, nil, "grants",
		"Revoke one grant: every token of its chain is inactive at once"},

	{http.MethodGet, "/v1/hosts/{host}/clients", admin.OpClientList, read, http.StatusOK, nil, []admin.ClientView{}, "clients",
		"List the host's static clients"},
	{http.MethodPost, "/v1/hosts/{host}/clients", admin.OpClientAdd, write, http.StatusCreated, admin.ClientArgs{}, admin.ClientResult{}, "clients",
		"Add a static client; a confidential client's secret is in the answer, this once"},
	{http.MethodPatch, "/v1/hosts/{host}/clients/{client_id}", admin.OpClientUpdate, write, http.StatusOK, admin.ClientArgs{}, admin.ClientResult{}, "clients",
		"Update a static client: fields left out keep their value"},
	{http.MethodDelete, "/v1/hosts/{host}/clients/{client_id}", admin.OpClientDel, write, 0, nil, nil, "clients",
		"Delete a static client and revoke every grant issued to it"},
	{http.MethodPost, "/v1/hosts/{host}/clients/{client_id}/secret", admin.OpClientRotate, write, http.StatusOK, nil, admin.ClientResult{}, "clients",
		"Rotate a confidential client's secret; the new one is in the answer, this once"},

	{http.MethodGet, "/v1/hosts/{host}/client-bans", admin.OpClientBans, read, http.StatusOK, nil, []admin.BanView{}, "clients",
		"List the banned dynamically registered clients, oldest first"},
	{http.MethodPost, "/v1/hosts/{host}/client-bans", admin.OpClientRevoke, write, http.StatusOK, admin.RevokeArgs{}, admin.RevokeResult{}, "clients",
		"Ban a dynamically registered client: it stops working at once and its grants are revoked"},

	{http.MethodGet, "/v1/hosts/{host}/keys", admin.OpKeysList, read, http.StatusOK, nil, []token.KeyInfo{}, "keys",
		"List the id_token signing keys (next, signing, retired)"},
	{http.MethodPost, "/v1/hosts/{host}/keys/rotate", admin.OpKeysRotate, write, http.StatusOK, admin.KeysArgs{}, []token.KeyInfo{}, "keys",
		"Create the next signing key of one algorithm, or of every one; it signs after the JWKS cache time"},
}

// backupRoute is GET /v1/backup. It needs the write scope although it changes nothing: a backup holds every
// password hash, secret digest and sealed key of the server, more than a read token (made for monitoring and
// inventories) should ever reach.
var backupRoute = route{Method: http.MethodGet, Pattern: "/v1/backup", Scope: write, Status: http.StatusOK, Tag: "backup",
	Summary: "Stream a backup of the whole store"}

// auditOp is the op of the admin.action event of a request refused on the route: the dispatcher's operation,
// admin.OpBackup for the backup (as the backup itself is audited), else the method and pattern.
func (rt route) auditOp() string {
	switch {
	case rt.Op != "":
		return rt.Op
	case rt.Method == backupRoute.Method && rt.Pattern == backupRoute.Pattern:
		return admin.OpBackup
	}
	return rt.Method + " " + rt.Pattern
}
