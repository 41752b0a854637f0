package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// heldStore holds the next lookup of one client until released: a request paused half-way, before its grant
// runs the policy chain.
type heldStore struct {
	store.Store
	clientID string
	armed    atomic.Bool
	entered  chan struct{}
	release  chan struct{}
}

type heldClients struct {
	store.ClientStore
	s *heldStore
}

func (s *heldStore) Clients() store.ClientStore { return heldClients{s.Store.Clients(), s} }

func (c heldClients) Get(ctx context.Context, host, id string) (*store.Client, error) {
	if id == c.s.clientID && c.s.armed.CompareAndSwap(true, false) {
		close(c.s.entered)
		<-c.s.release
	}
	return c.ClientStore.Get(ctx, host, id)
}

// recordingEngine loads plugins that answer scope_policy with the scopes they are given, count their calls and
// fail any call made after they were closed, as a closed plugin would.
type recordingEngine struct {
	mu      sync.Mutex
	plugins []*recordingPlugin
}

func (e *recordingEngine) Kind() string                { return "lua" }
func (e *recordingEngine) Close(context.Context) error { return nil }
func (e *recordingEngine) Load(context.Context, policy.Source) (policy.Plugin, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := &recordingPlugin{}
	e.plugins = append(e.plugins, p)
	return p, nil
}

type recordingPlugin struct {
	calls, lateCalls atomic.Int64
	closed           atomic.Bool
}

func (p *recordingPlugin) Hooks() []string { return []string{policy.HookScopePolicy} }
func (p *recordingPlugin) Close(context.Context) error {
	p.closed.Store(true)
	return nil
}
func (p *recordingPlugin) Call(_ context.Context, _ string, in []byte) ([]byte, error) {
	if p.closed.Load() {
		p.lateCalls.Add(1)
		return nil, io.ErrClosedPipe
	}
	p.calls.Add(1)
	var req struct {
		Granted []string `json:"granted_scopes"`
	}
	if err := json.Unmarshal(in, &req); err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"granted_scopes": req.Granted})
}

// A request that started on the old hosts finishes on them while SetHosts swaps in new ones: the old hosts'
// plugins are closed only once it is done (the drained channel), and requests arriving meanwhile are served by
// the new hosts.
func TestSetHostsDrainsRunningRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	plugin := filepath.Join(t.TempDir(), "scopes.lua")
	if err := os.WriteFile(plugin, []byte("-- loaded by the recording engine"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(base)
	cfg.GrantTypes = []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantClientCredentials}
	cfg.Policies = []config.Policy{{Name: "scopes", Lua: plugin, Hooks: []string{policy.HookScopePolicy}}}
	engine := &recordingEngine{}
	st := &heldStore{Store: badgertest.New(t, nil), clientID: "svc", entered: make(chan struct{}),
		release: make(chan struct{})}
	opts := assembly.Options{KeyAlgorithms: testAlgs, Engines: map[string]policy.Engine{"lua": engine}}
	oldHost, oldSvc, _ := buildHost(t, cfg, st, opts)
	_, secret, err := oldSvc.Clients.Create(context.Background(), oauth.ClientSpec{ID: "svc", Name: "svc",
		GrantTypes: []string{oauth.GrantClientCredentials}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Hosts: []*Host{oldHost}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	var releaseOnce sync.Once
	unpause := func() { releaseOnce.Do(func() { close(st.release) }) }
	t.Cleanup(func() {
		unpause() // a failing test must not leave the request paused under Shutdown
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})

	token := func() (int, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"/oauth2/token",
			strings.NewReader(url.Values{"grant_type": {oauth.GrantClientCredentials}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", tkBasic("svc", secret))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	type answer struct {
		status int
		body   string
	}
	st.armed.Store(true)
	paused := make(chan answer, 1)
	go func() { s, b := token(); paused <- answer{s, b} }()
	select {
	case <-st.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the request never reached the client lookup")
	}

	// The reload: new hosts in, the old ones released once drained, as `assentry serve` does.
	newHost, _, _ := buildHost(t, cfg, st, opts)
	drained, err := srv.SetHosts([]*Host{newHost})
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		<-drained
		_ = oldSvc.Close(context.Background())
		close(released)
	}()
	oldPlugin, newPlugin := engine.plugins[0], engine.plugins[1]

	// A request arriving now is served by the new hosts while the first is still paused on the old ones.
	if s, b := token(); s != http.StatusOK {
		t.Fatalf("a request after the swap: %d %s", s, b)
	}
	if newPlugin.calls.Load() != 1 || oldPlugin.calls.Load() != 0 {
		t.Fatalf("calls after the swap: old %d, new %d; want the new hosts to serve it", oldPlugin.calls.Load(),
			newPlugin.calls.Load())
	}
	select {
	case <-drained:
		t.Fatal("the old hosts were drained while a request still ran on them")
	default:
	}
	if oldPlugin.closed.Load() {
		t.Fatal("the old hosts' plugin was closed while a request still ran on them")
	}

	unpause()
	got := <-paused
	if got.status != http.StatusOK {
		t.Fatalf("the request that started before the swap: %d %s", got.status, got.body)
	}
	select {
	case <-released:
	case <-time.After(30 * time.Second):
		t.Fatal("the old hosts were never released")
	}
	if oldPlugin.calls.Load() != 1 || oldPlugin.lateCalls.Load() != 0 || !oldPlugin.closed.Load() {
		t.Fatalf("old plugin: %d calls, %d after close, closed %v; want 1, 0, true", oldPlugin.calls.Load(),
			oldPlugin.lateCalls.Load(), oldPlugin.closed.Load())
	}
	if _, err := srv.SetHosts([]*Host{newHost, newHost}); err == nil || len(srv.Hosts()) != 1 {
		t.Fatalf("two hosts with one name: %v; hosts now %d (the table must stay as it was)", err, len(srv.Hosts()))
	}
}
