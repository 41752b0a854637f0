package admin

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store/badger/badgertest"
)

func newServices(t *testing.T) *Services {
	st := badgertest.New(t, nil)
	h, err := account.NewHasher(account.Params{Memory: 64, Iterations: 1, Parallelism: 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	acc := account.New(account.Options{Host: "h1", Users: st.Users(), Hasher: h, Roles: []string{"user"}, DefaultRole: "user"})
	cl := oauth.NewClients("h1", st.Clients(), oauth.ServedGrantTypes, nil)
	return &Services{Hosts: map[string]*HostServices{"h1": {Accounts: acc, Clients: cl}}, Default: "h1"}
}

func req(t *testing.T, op string, args any) Request {
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return Request{Op: op, Args: b}
}

func TestDoErrors(t *testing.T) {
	s := newServices(t)
	ctx := context.Background()
	tests := []struct {
		name string
		req  Request
		kind string
	}{
		{"unknown op", Request{Op: "user.frobnicate"}, KindInvalid},
		{"unknown host", Request{Op: OpUserList, Host: "nope"}, KindNotFound},
		{"bad args", Request{Op: OpUserAdd, Args: json.RawMessage(`{"username": 5}`)}, KindInvalid},
		{"unknown user", req(t, OpUserDel, UserArgs{Username: "ghost"}), KindNotFound},
		{"invalid username", req(t, OpUserAdd, UserArgs{Username: "a b", Password: "x"}), KindInvalid},
		{"short password", req(t, OpUserAdd, UserArgs{Username: "zed", Password: "short"}), KindInvalid},
		{"password containing the username", req(t, OpUserAdd, UserArgs{Username: "zed", Password: "zed zed zed zed zed"}), KindInvalid},
		{"unknown client", req(t, OpClientDel, ClientArgs{ID: "ghost"}), KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(ctx, tt.req)
			if resp.Error == nil || resp.Error.Kind != tt.kind {
				t.Fatalf("got %+v, want kind %s", resp.Error, tt.kind)
			}
		})
	}
	if resp := s.Do(ctx, req(t, OpUserAdd, UserArgs{Username: "alice", Password: "correct horse battery"})); resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if resp := s.Do(ctx, req(t, OpUserAdd, UserArgs{Username: "Alice", Password: "correct horse battery"})); resp.Error == nil || resp.Error.Kind != KindConflict {
		t.Fatalf("duplicate: %+v", resp.Error)
	}
}

func TestClientUpdateKeepsUnsetFields(t *testing.T) {
	s := newServices(t)
	ctx := context.Background()
	name, uri := "App", "https://app.example.com/cb"
	resp := s.Do(ctx, req(t, OpClientAdd, ClientArgs{Name: &name, RedirectURIs: &[]string{uri}, Introspect: ptr(true)}))
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	var added ClientResult
	_ = json.Unmarshal(resp.Result, &added)
	tos := "https://app.example.com/tos"
	resp = s.Do(ctx, req(t, OpClientUpdate, ClientArgs{ID: added.ClientID, TOSURI: &tos}))
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	var upd ClientResult
	_ = json.Unmarshal(resp.Result, &upd)
	c := upd.Client
	if c.Name != "App" || c.TOSURI != tos || !c.Introspect || len(c.RedirectURIs) != 1 || upd.ClientSecret != "" {
		t.Fatalf("update changed more than asked: %+v (secret %q)", c, upd.ClientSecret)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSocketRoundTrip(t *testing.T) {
	s := newServices(t)
	// A deep data directory: the socket path must stay under the 108-byte limit.
	dataDir := filepath.Join(t.TempDir(), strings.Repeat("long-directory-name-", 8))
	path, err := SocketPath(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(path) >= 108 {
		t.Fatalf("socket path %d bytes long", len(path))
	}
	if _, err := Dial(dataDir); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial without a server: %v", err)
	}
	srv, err := Listen(dataDir, s, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(srv.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode: %v %v", fi.Mode(), err)
	}
	cl, err := Dial(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cl.Do(context.Background(), req(t, OpUserAdd, UserArgs{Username: "bob", Password: "correct horse battery"}))
	if err != nil || resp.Error != nil {
		t.Fatalf("%v %+v", err, resp.Error)
	}
	resp, _ = cl.Do(context.Background(), req(t, OpUserDel, UserArgs{Username: "nobody"}))
	if resp.Error == nil || resp.Error.Kind != KindNotFound {
		t.Fatalf("error kind over the socket: %+v", resp.Error)
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(dataDir); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial after Close: %v", err)
	}
	// A stale socket file (a crashed server) is not a server.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(dataDir); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial on a stale socket file: %v", err)
	}
}

func TestSocketDirMustBePrivate(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := checkPrivate(dir); err == nil {
		t.Fatal("a world-writable directory passed the check")
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := checkPrivate(dir); err != nil {
		t.Fatal(err)
	}
}
