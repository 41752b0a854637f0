package adminapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// pathParams describes every path parameter the routes use.
var pathParams = map[string]string{
	"host":      "The host's id (`id` in the configuration; `default` for the single top-level host).",
	"username":  "The user's username (normalised like at login).",
	"client_id": "The static client's client_id.",
	"grant_id":  "The grant's id, as `GET .../users/{username}/grants` lists it.",
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// Document generates the OpenAPI 3.1 document of the API from the route table. It is served at
// /v1/openapi.json and committed as docs/admin-api.openapi.json (a test keeps the two identical).
func Document() ([]byte, error) {
	sc := schemas{}
	sc["Error"] = sc.object(reflect.TypeFor[apiError]())
	paths := map[string]map[string]any{}
	add := func(path, method string, op map[string]any) {
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = op
	}
	for _, rt := range routes {
		add(rt.Pattern, rt.Method, operationDoc(rt, sc))
	}
	backup := operationDoc(backupRoute, sc)
	backup["operationId"] = "backup"
	backup["description"] = "Streams a backup of every host's data and the server's admin tokens, as the backup " +
		"command writes it. It needs the write scope although it changes nothing: it holds every password hash " +
		"and sealed key. 503 when this server provides no backup. A failure after the first byte aborts the " +
		"connection, so a truncated transfer never looks complete."
	backup["responses"].(map[string]any)["200"] = map[string]any{"description": "The backup, streamed.",
		"content": map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}
	backup["responses"].(map[string]any)["503"] = errorResponse("No backup is available on this server, or the store is unavailable.")
	add(backupRoute.Pattern, http.MethodGet, backup)
	add("/v1/openapi.json", http.MethodGet, map[string]any{"operationId": "openapi", "tags": []string{"meta"},
		"summary": "This document", "security": []any{},
		"responses": map[string]any{"200": map[string]any{"description": "The OpenAPI 3.1 document.",
			"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}}})
	add("/metrics", http.MethodGet, map[string]any{"operationId": "metrics", "tags": []string{"meta"},
		"summary":  "Prometheus metrics (no token: they carry no identifiers); 404 when this server exports none",
		"security": []any{},
		"responses": map[string]any{"200": map[string]any{"description": "Metrics in the Prometheus text format.",
			"content": map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}},
			"404": map[string]any{"description": "No metrics on this server."}}})

	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Assentry admin API",
			"version": "1",
			"description": "Management of an Assentry server over HTTP, on the admin listener (`admin_listen`). Every " +
				"operation runs the same code as the `assentry` command line. Authenticate with an admin token made by " +
				"`assentry admin-token create`: `Authorization: Bearer asa_...`. A `read` token may call every GET; " +
				"everything else, and the backup, needs a `write` token (the role listed in each operation's security " +
				"requirement). Errors are JSON objects `{\"error\": kind, \"error_description\": text}`.",
		},
		"security": []any{map[string]any{"adminToken": []string{}}},
		"tags": []any{
			map[string]any{"name": "hosts"}, map[string]any{"name": "users"}, map[string]any{"name": "grants"},
			map[string]any{"name": "clients"}, map[string]any{"name": "keys"}, map[string]any{"name": "backup"},
			map[string]any{"name": "meta"},
		},
		"components": map[string]any{
			"securitySchemes": map[string]any{"adminToken": map[string]any{"type": "http", "scheme": "bearer",
				"description": "An admin token (`asa_` and 43 characters) from `assentry admin-token create --scope read|write`."}},
			"schemas": sc,
		},
		"paths": paths,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// operationDoc documents one route: its parameters, body, answers and the scope it needs.
func operationDoc(rt route, sc schemas) map[string]any {
	op := map[string]any{
		"operationId": operationID(rt.Op),
		"summary":     rt.Summary,
		"tags":        []string{rt.Tag},
		"security":    []any{map[string]any{"adminToken": []string{rt.Scope}}},
	}
	if rt.Op != "" {
		op["x-assentry-operation"] = rt.Op
	}
	var params []any
	for _, m := range placeholder.FindAllStringSubmatch(rt.Pattern, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
			"description": pathParams[m[1]], "schema": map[string]any{"type": "string"}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.Body != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": sc.ref(reflect.TypeOf(rt.Body))}}}
	}
	responses := map[string]any{
		"401": errorResponse("No admin token, or one that is unknown, expired or revoked (with `WWW-Authenticate: Bearer`)."),
		"429": errorResponse("Too many failed authentications from this address (with `Retry-After`)."),
		"500": errorResponse("An internal error; the server log has the cause."),
		"503": errorResponse("The store is unavailable (closed, or refusing writes on a full disk); try again (`Retry-After`)."),
	}
	if rt.Result != nil {
		responses[strconv.Itoa(rt.Status)] = map[string]any{"description": "Success.", "content": map[string]any{
			"application/json": map[string]any{"schema": sc.ref(reflect.TypeOf(rt.Result))}}}
	} else {
		responses["204"] = map[string]any{"description": "Done."}
	}
	if rt.Scope == write {
		responses["403"] = errorResponse("The token has the read scope; this needs write (`error`: `insufficient_scope`).")
	}
	if params != nil || rt.Body != nil {
		responses["400"] = errorResponse("Invalid arguments (`error`: `invalid`).")
	}
	if params != nil {
		responses["404"] = errorResponse("The host, or the record the path names, does not exist (`error`: `not_found`).")
	}
	if rt.Method == http.MethodPost || rt.Method == http.MethodPatch || rt.Method == http.MethodPut {
		responses["409"] = errorResponse("It conflicts with an existing record (`error`: `conflict`).")
	}
	op["responses"] = responses
	return op
}

func errorResponse(description string) map[string]any {
	return map[string]any{"description": description, "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
}

// operationID turns "client.rotate-secret" into "clientRotateSecret".
func operationID(op string) string {
	parts := strings.FieldsFunc(op, func(r rune) bool { return r == '.' || r == '-' })
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}
