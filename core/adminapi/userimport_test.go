package adminapi

import (
	"context"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/admin"
)

// TestUserImport: accounts imported over the API (what `assentry user import-prosody` sends), a dry run that writes
// nothing, a taken username skipped, and a SCRAM credential replaced by argon2id at the first login.
func TestUserImport(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/users", e.write, map[string]any{"username": "erin", "password": "violet harbour lantern"}),
		http.StatusCreated, "create")
	stored, _ := hex.DecodeString("7780ef04525262f2d5e00e0a03b0c8795bcadc26") // make_accounts.py's alice
	server, _ := hex.DecodeString("21f8b2744cacd698c12f2bf745bc4ba279e4ab3e")
	args := admin.ImportArgs{DryRun: true, Users: []admin.ImportUser{
		{Username: "alice", SCRAM: &account.SCRAM{Hash: account.SCRAMSHA1, Salt: []byte("3c7d2f0e-6b1a-4c55-9e1f-2a8b9c0d1e2f"),
			Iterations: 10000, StoredKey: stored, ServerKey: server}},
		{Username: "Dave", Password: "dave password"},
		{Username: "erin", Password: "y"},
	}}
	var res admin.ImportResult
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/user-imports", e.write, args), http.StatusOK, "dry run").json(t, &res)
	if len(res.Imported) != 2 || len(res.Skipped) != 1 || res.Skipped[0].Username != "erin" || res.Imported[1].Username != "dave" || res.Imported[0].ID != "" {
		t.Fatalf("dry run: %+v", res)
	}
	if a := e.call(http.MethodGet, "/v1/hosts/main/users/alice", e.read, nil); a.status != http.StatusNotFound {
		t.Fatalf("the dry run created alice: %d", a.status)
	}
	if a := e.call(http.MethodPost, "/v1/hosts/main/user-imports", e.read, args); a.status != http.StatusForbidden {
		t.Fatalf("a read token imported: %d %s", a.status, a.body)
	}

	args.DryRun = false
	e.expect(e.call(http.MethodPost, "/v1/hosts/main/user-imports", e.write, args), http.StatusOK, "import").json(t, &res)
	if len(res.Imported) != 2 || len(res.Skipped) != 1 || res.Imported[0].ID == "" {
		t.Fatalf("import: %+v", res)
	}
	var u admin.UserView
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users/alice", e.read, nil), http.StatusOK, "get").json(t, &u)
	if u.PasswordScheme != account.SCRAMSHA1 {
		t.Fatalf("imported alice: %+v", u)
	}
	if _, err := e.host.Accounts.Authenticate(context.Background(), "alice", "alice password"); err != nil {
		t.Fatal(err)
	}
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users/alice", e.read, nil), http.StatusOK, "get").json(t, &u)
	if u.PasswordScheme != "argon2id" {
		t.Fatalf("after the first login: %+v", u)
	}
	e.expect(e.call(http.MethodGet, "/v1/hosts/main/users/dave", e.read, nil), http.StatusOK, "get").json(t, &u)
	if u.PasswordScheme != "argon2id" {
		t.Fatalf("a plain password was not hashed at import: %+v", u)
	}
}
