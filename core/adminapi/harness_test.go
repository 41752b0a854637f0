package adminapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// testEnv is the API served by httptest over the dispatcher of one real host on real Badger, with a settable
// clock shared by the store, the dispatcher and the API.
type testEnv struct {
	t     *testing.T
	clock *testclock.Clock
	st    store.Store
	svc   *admin.Services
	host  *assembly.Services
	srv   *httptest.Server
	write string // a write token
	read  string // a read token
}

type envOptions struct {
	backup  func(ctx context.Context, w io.Writer) error
	metrics http.Handler
	opts    func(*Options)
}

func newEnv(t *testing.T, eo envOptions) *testEnv {
	t.Helper()
	clock := testclock.New(time.Now().UTC().Truncate(time.Second))
	st := badgertest.New(t, clock.Now)
	cfg := &config.Config{Host: config.Host{ID: "main", Issuer: "http://127.0.0.1:8080", IDTokenSigningAlg: "ES256",
		Argon2: &config.Argon2{Memory: 64, Iterations: 1, Parallelism: 1, MaxConcurrent: 4},
		Roles:  &config.Roles{Names: []string{"user", "admin"}, Default: "user"}}}
	settings, _, err := cfg.Validate(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h, err := assembly.Build(ctx, &settings.Hosts[0], st, assembly.Options{KeyAlgorithms: []string{"ES256"}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close(context.Background()) })
	if err := h.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	svc := &admin.Services{Default: "main", AdminTokens: st.AdminTokens(), Now: clock.Now,
		Hosts: map[string]*admin.HostServices{"main": {Accounts: h.Accounts, Clients: h.Clients, Keys: h.Keys,
			Registry: h.Registry, Grants: st.Grants(),
			Info: admin.HostInfo{ID: "main", Issuer: h.Settings.Issuer, Hostnames: h.Settings.Hostnames}}}}
	o := Options{Services: svc, Backup: eo.backup, Metrics: eo.metrics, Now: clock.Now}
	if eo.opts != nil {
		eo.opts(&o)
	}
	api, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	e := &testEnv{t: t, clock: clock, st: st, svc: svc, host: h, srv: srv}
	e.write = e.token("ops", admin.ScopeWrite, "")
	e.read = e.token("monitor", admin.ScopeRead, "")
	return e
}

// token creates an admin token through the dispatcher, as `assentry admin-token create` does.
func (e *testEnv) token(name, scope, expires string) string {
	e.t.Helper()
	var c admin.AdminTokenCreated
	e.do(admin.OpAdminTokenCreate, admin.AdminTokenArgs{Name: name, Scope: scope, Expires: expires}, &c)
	return c.Token
}

// do runs one dispatcher operation directly and decodes its result into out (when not nil).
func (e *testEnv) do(op string, args, out any) {
	e.t.Helper()
	raw, _ := json.Marshal(args)
	resp := e.svc.Do(context.Background(), admin.Request{Op: op, Args: raw})
	if resp.Error != nil {
		e.t.Fatalf("%s: %v", op, resp.Error)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Result, out); err != nil {
			e.t.Fatal(err)
		}
	}
}

// answer is one HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v.
func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
}

// errorCode is the "error" of a JSON error body.
func (a answer) errorCode() string {
	var e apiError
	_ = json.Unmarshal(a.body, &e)
	return e.Error
}

// call sends method path with token (none when "") and a JSON body (none when nil) through a real client.
func (e *testEnv) call(method, path, token string, body any) answer {
	e.t.Helper()
	var r io.Reader
	if s, ok := body.(string); ok {
		r = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{res.StatusCode, res.Header, b}
}

// expect fails unless the answer has status.
func (e *testEnv) expect(a answer, status int, what string) answer {
	e.t.Helper()
	if a.status != status {
		e.t.Fatalf("%s: status %d, want %d; body %s", what, a.status, status, a.body)
	}
	return a
}
