package policytest

import (
	"time"

	"github.com/assentry/assentry/policy"
)

// Scenario is one fixture and what the suite expects of it.
type Scenario struct {
	Name   string // the fixture file is testdata/<Name>.<engine kind>
	Hook   string // the hook the fixture exports and the suite calls
	Config map[string]any
	// Cases are calls in order, on a plugin with a pool of one (so they share one state or instance) and
	// their expected decisions; for a hostile scenario, the input of each call.
	Cases []Case
	// Failure, when set, is the failure kind every call must give, by engine kind ("" for any other kind). A
	// list allows either kind.
	Failure map[string][]string
	// LoadError: the plugin must be refused at load.
	LoadError bool
	// Isolate loads the plugin with policy.Source.Isolate (config isolate_calls).
	Isolate bool
}

// Case is one call: Input holds the hook's fields (the suite adds the envelope); Want is the decision JSON, or
// {"error": {...}} for a declared error. The decision is compared after decoding into the hook's Go type.
type Case struct {
	Name  string
	Input string
	Want  string
}

// hostileLimits are the limits of hostile plugins: a short deadline keeps the suite fast, and a small memory
// cap (8 MiB; Lua ignores it) lets a wasm allocation loop reach it well before its deadline.
var hostileLimits = policy.Limits{Timeout: 50 * time.Millisecond, MaxMemoryPages: 128, Pool: 1}

// goodLimits are the limits of well-behaved plugins in the concurrency tests: a generous deadline, since
// those tests are about answers and the race detector on few CPUs can delay a call for long.
var goodLimits = policy.Limits{Timeout: 10 * time.Second, Pool: 2}

var userAlice = `{"sub": "u-alice", "username": "alice", "roles": ["user"], "groups": ["staff", "other"]}`

var scopeInput = `{"flow": "authorization_code", "user": ` + userAlice + `,
	"client": {"client_id": "app-1", "client_name": "App One", "allowed_scopes": ["openid", "profile", "write", "admin", "bad scope"]},
	"requested_scopes": ["openid", "profile", "write", "admin", "bad scope"],
	"granted_scopes": ["openid", "profile", "write", "admin", "bad scope"]}`

// Scenarios are the fixtures every engine provides.
var Scenarios = []Scenario{
	// Decisions.
	{Name: "scope_narrow", Hook: policy.HookScopePolicy,
		Config: map[string]any{"forbidden": []any{"admin"}, "require_role": map[string]any{"write": "editor"}},
		Cases: []Case{{Name: "narrowed", Input: scopeInput,
			Want: `{"granted_scopes": ["openid", "profile"], "denied": [{"scope": "write", "reason": "needs role editor"}, {"scope": "admin", "reason": "forbidden"}]}`}}},
	{Name: "roles_from_groups", Hook: policy.HookMapRoles,
		Config: map[string]any{"groups": map[string]any{"staff": []any{"editor", "user"}, "ops": []any{"admin"}}},
		Cases: []Case{
			{Name: "staff", Input: `{"user": ` + userAlice + `, "roles": ["user"]}`,
				Want: `{"roles": ["user", "editor"], "claims": {"groups": ["staff", "other"]}}`},
			{Name: "no groups", Input: `{"user": {"sub": "u-bob", "username": "bob", "roles": [], "groups": []}, "roles": []}`,
				Want: `{"roles": []}`}}},
	{Name: "consent_first_party", Hook: policy.HookConsent,
		Config: map[string]any{"first_party": []any{"app-1"}},
		Cases: []Case{
			{Name: "first party", Input: `{"user": ` + userAlice + `, "client": {"client_id": "app-1", "client_name": "App One"},
				"requested_scopes": ["openid"], "granted_scopes": ["openid"], "previously_consented": false}`,
				Want: `{"decision": "approve", "remember": true}`},
			{Name: "third party", Input: `{"user": ` + userAlice + `, "client": {"client_id": "other", "client_name": "Other App"},
				"requested_scopes": ["openid", "profile"], "granted_scopes": ["openid", "profile"], "previously_consented": false}`,
				Want: `{"decision": "ask", "page": {"notices": ["Other App is not operated by us."], "scope_descriptions": {"profile": "Your name and picture"}}}`}}},
	{Name: "registration_rules", Hook: policy.HookValidateRegistration,
		Config: map[string]any{"allowed_domains": []any{"example.com"}},
		Cases: []Case{
			{Name: "allowed subdomain", Input: `{"operation": "register", "metadata": {"client_name": "Shop", "client_uri": "https://shop.example.com/about",
				"redirect_uris": ["https://shop.example.com/cb"]}, "auth": {"kind": "anonymous"}, "request": {"remote_addr": "192.0.2.1", "user_agent": "test"}}`,
				Want: `{"decision": "accept", "metadata_patch": {"client_name": "Shop (verified)"}}`},
			{Name: "other domain", Input: `{"operation": "register", "metadata": {"client_name": "Evil", "client_uri": "https://example.com.evil.test/"},
				"auth": {"kind": "anonymous"}, "request": {"remote_addr": "192.0.2.1", "user_agent": "test"}}`,
				Want: `{"decision": "reject", "error": "invalid_client_metadata", "error_description": "client_uri must be on an allowed domain"}`},
			// A client identified by its Client ID Metadata Document: operation metadata_document, with the
			// document's URL as client_id and no request (docs/policy-abi.md).
			{Name: "metadata document, allowed domain", Input: `{"operation": "metadata_document", "client_id": "https://shop.example.com/oauth/client.json",
				"metadata": {"client_name": "Shop", "client_uri": "https://shop.example.com/", "redirect_uris": ["http://127.0.0.1/cb"],
				"token_endpoint_auth_method": "none"}, "auth": {"kind": "anonymous"}, "request": {"remote_addr": "", "user_agent": ""}}`,
				Want: `{"decision": "accept", "metadata_patch": {"client_name": "Shop (verified)"}}`},
			{Name: "metadata document, other domain", Input: `{"operation": "metadata_document", "client_id": "https://evil.test/client.json",
				"metadata": {"client_name": "Evil", "client_uri": "https://evil.test/", "token_endpoint_auth_method": "none"},
				"auth": {"kind": "anonymous"}, "request": {"remote_addr": "", "user_agent": ""}}`,
				Want: `{"decision": "reject", "error": "invalid_client_metadata", "error_description": "client_uri must be on an allowed domain"}`}}},
	{Name: "claims_extra", Hook: policy.HookClaims, Config: map[string]any{"department": "engineering"},
		Cases: []Case{
			{Name: "id_token", Input: `{"user": ` + userAlice + `, "client": {"client_id": "app-1"}, "scopes": ["openid"], "target": "id_token"}`,
				Want: `{"claims": {"department": "engineering", "groups": ["staff", "other"], "preferences": {}, "level": 3}}`},
			{Name: "userinfo", Input: `{"user": ` + userAlice + `, "client": {"client_id": "app-1"}, "scopes": ["openid"], "target": "userinfo"}`,
				Want: `{"claims": {}}`}}},
	{Name: "empty_arrays", Hook: policy.HookScopePolicy,
		Cases: []Case{{Name: "all denied", Input: scopeInput, Want: `{"granted_scopes": []}`}}},
	{Name: "declared_error", Hook: policy.HookScopePolicy,
		Cases: []Case{{Name: "declared", Input: scopeInput,
			Want: `{"error": {"code": "directory_unavailable", "description": "the group directory did not answer"}}`}}},
	{Name: "globals", Hook: policy.HookClaims, Config: map[string]any{"name": "suite"}, Isolate: true,
		Cases: []Case{
			{Name: "first call", Input: `{"user": ` + userAlice + `, "client": {"client_id": "app-1"}, "scopes": [], "target": "id_token"}`,
				Want: `{"claims": {"greeting": "hello suite", "calls": 1}}`},
			{Name: "second call sees nothing of the first", Input: `{"user": {"sub": "u-bob", "username": "bob", "roles": [], "groups": []},
				"client": {"client_id": "app-1"}, "scopes": [], "target": "id_token"}`,
				Want: `{"claims": {"greeting": "hello suite", "calls": 1}}`}}},
	urlParseScenario(),
	{Name: "json_null", Hook: policy.HookValidateRegistration,
		Cases: []Case{{Name: "null in, null out", Input: `{"operation": "register", "metadata": {"client_name": "Shop", "policy_uri": null,
			"tos_uri": "https://shop.example.com/tos"}, "auth": {"kind": "anonymous"}, "request": {"remote_addr": "192.0.2.1", "user_agent": "test"}}`,
			Want: `{"decision": "accept", "metadata_patch": {"tos_uri": null, "policy_uri_was_null": true, "client_name_was_null": false}}`}}},
	{Name: "init_refuses", Hook: policy.HookScopePolicy, LoadError: true},
	{Name: "abi_mismatch", Hook: policy.HookScopePolicy, LoadError: true},

	// Hostile plugins.
	{Name: "infinite_loop", Hook: policy.HookScopePolicy, Cases: hostile(scopeInput),
		Failure: map[string][]string{"": {policy.FailDeadline}}},
	{Name: "deep_recursion", Hook: policy.HookScopePolicy, Cases: hostile(scopeInput),
		Failure: map[string][]string{"lua": {policy.FailMemory}, "": {policy.FailMemory, policy.FailTrap}}},
	{Name: "alloc_unbounded", Hook: policy.HookScopePolicy, Cases: hostile(scopeInput),
		Failure: map[string][]string{"lua": {policy.FailDeadline}, "": {policy.FailMemory}}},
	{Name: "huge_string", Hook: policy.HookScopePolicy, Cases: hostile(scopeInput),
		Failure: map[string][]string{"lua": {policy.FailMemory}, "": {policy.FailMemory, policy.FailTrap}}},
	{Name: "trap", Hook: policy.HookScopePolicy, Cases: hostile(scopeInput),
		Failure: map[string][]string{"lua": {policy.FailError}, "": {policy.FailTrap}}},
	{Name: "error_call", Hook: policy.HookScopePolicy, Cases: hostile(scopeInput),
		Failure: map[string][]string{"lua": {policy.FailError}, "": {policy.FailTrap}}},
	{Name: "invalid_json", Hook: policy.HookScopePolicy, Cases: hostile(scopeInput),
		Failure: map[string][]string{"": {policy.FailOutput}}},
	{Name: "wrong_shape", Hook: policy.HookMapRoles, Cases: hostile(`{"user": ` + userAlice + `, "roles": ["user"]}`),
		Failure: map[string][]string{"": {policy.FailOutput}}},
	{Name: "oversized_output", Hook: policy.HookClaims,
		Cases:   hostile(`{"user": ` + userAlice + `, "client": {"client_id": "app-1"}, "scopes": [], "target": "id_token"}`),
		Failure: map[string][]string{"": {policy.FailOutput}}},
	{Name: "consent_timeout", Hook: policy.HookConsent, Cases: hostile(consentInput),
		Failure: map[string][]string{"": {policy.FailDeadline}}},
	{Name: "consent_garbage", Hook: policy.HookConsent, Cases: hostile(consentInput),
		Failure: map[string][]string{"": {policy.FailOutput}}},
}

var consentInput = `{"user": ` + userAlice + `, "client": {"client_id": "app-1", "client_name": "App One"},
	"requested_scopes": ["openid"], "granted_scopes": ["openid"], "previously_consented": false}`

// hostile calls a failing plugin twice: the second call shows that the failure left the plugin usable.
func hostile(input string) []Case {
	return []Case{{Name: "first", Input: input}, {Name: "again", Input: input}}
}

// ScenarioNamed returns the scenario of that name.
func ScenarioNamed(name string) (Scenario, bool) {
	for _, s := range Scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// failureKinds are the failure kinds the scenario accepts from an engine of this kind.
func (s Scenario) failureKinds(kind string) []string {
	if want := s.Failure[kind]; want != nil {
		return want
	}
	return s.Failure[""]
}
