package adminapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/admin"
)

var update = flag.Bool("update", false, "rewrite docs/admin-api.openapi.json from the route table")

// committed is the document in the repository.
var committed = filepath.Join("..", "..", "docs", "admin-api.openapi.json")

// TestOpenAPICommitted keeps docs/admin-api.openapi.json identical to what the server serves; regenerate it with
// go test ./core/adminapi -run TestOpenAPICommitted -update.
func TestOpenAPICommitted(t *testing.T) {
	doc, err := Document()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(committed, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, want) {
		t.Fatalf("%s is out of date: run go test ./core/adminapi -run TestOpenAPICommitted -update", committed)
	}
	e := newEnv(t, envOptions{})
	a := e.expect(e.call(http.MethodGet, "/v1/openapi.json", "", nil), http.StatusOK, "served without a token")
	if !bytes.Equal(a.body, want) || a.header.Get("Content-Type") != "application/json" {
		t.Fatalf("the served document differs from the committed one (%s)", a.header.Get("Content-Type"))
	}
}

// openapiDoc is the part of the document the route checks read.
type openapiDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

// TestOpenAPIMatchesRoutes: every pattern registered on the mux is documented, and every documented path and
// method reaches the handler registered for it (not a 404 or 405 of the mux).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	var doc openapiDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	api, err := New(Options{Services: &admin.Services{}})
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			pattern := strings.ToUpper(method) + " " + path
			documented[pattern] = true
			concrete := strings.NewReplacer("{host}", "h1", "{username}", "u1", "{client_id}", "c1", "{grant_id}", "g1").Replace(path)
			req := httptest.NewRequest(strings.ToUpper(method), concrete, nil)
			if _, got := api.mux.Handler(req); got != pattern {
				t.Errorf("documented %s is routed to %q", pattern, got)
			}
		}
	}
	for _, p := range api.patterns {
		if !documented[p] {
			t.Errorf("routed %s is not documented", p)
		}
	}
	if len(documented) != len(api.patterns) {
		t.Errorf("%d documented operations, %d routes", len(documented), len(api.patterns))
	}
	// Every dispatcher operation of a host or of the server is reachable, except the admin tokens, which are
	// made on the command line only: a token cannot mint another.
	var ops []string
	for _, rt := range routes {
		ops = append(ops, rt.Op)
	}
	for _, op := range []string{admin.OpUserAdd, admin.OpUserPasswd, admin.OpUserList, admin.OpUserDel, admin.OpUserRoles,
		admin.OpUserGroups, admin.OpUserDisable, admin.OpUserEnable, admin.OpUserGet, admin.OpClientAdd, admin.OpClientUpdate,
		admin.OpClientRotate, admin.OpClientList, admin.OpClientDel, admin.OpClientRevoke, admin.OpClientBans,
		admin.OpKeysList, admin.OpKeysRotate, admin.OpGrantList, admin.OpGrantRevoke, admin.OpGrantRevokeUser,
		admin.OpHostsList} {
		if !slices.Contains(ops, op) {
			t.Errorf("operation %s has no route", op)
		}
	}
}
