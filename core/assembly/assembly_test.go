package assembly

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// hostOf loads a configuration file's text and returns its single host.
func hostOf(t *testing.T, doc string) *config.HostSettings {
	t.Helper()
	path := filepath.Join(t.TempDir(), "assentry.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _, err := config.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &s.Hosts[0]
}

// fast are options that keep a test quick: the cheap signing algorithms only.
var fast = Options{KeyAlgorithms: []string{"ES256", "EdDSA"}}

const fastHost = "issuer: https://auth.example.net\nid_token_signing_alg: ES256\nargon2: {memory: 64, iterations: 1}\n"

func mustBuild(t *testing.T, h *config.HostSettings, o Options) *Services {
	t.Helper()
	s, err := Build(context.Background(), h, badgertest.New(t, nil), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func TestPolicyBindings(t *testing.T) {
	h := &config.HostSettings{ID: "h1", Policies: []config.Policy{
		{Name: "a", Lua: "a.lua", Hooks: []string{"consent"}, Config: map[string]any{"x": 1}, Limits: map[string]int{"timeout_ms": 20},
			OnError: map[string]string{"consent": "ask"}},
		{Name: "b", Wasm: "b.wasm", IsolateCalls: true},
	}}
	bs, err := policyBindings(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Kind != "lua" || bs[0].Path != "a.lua" || bs[0].Limits.Timeout != 20*time.Millisecond ||
		bs[0].OnError["consent"] != "ask" || bs[0].Config["x"] != 1 || bs[1].Kind != "wasm" || bs[1].Path != "b.wasm" || bs[0].Isolate || !bs[1].Isolate ||
		bs[1].Limits.Pool != policy.DefaultPool {
		t.Fatalf("bindings %+v", bs)
	}
	h.Policies[0].Limits = map[string]int{"pool": 0}
	if _, err := policyBindings(h); err == nil || !strings.Contains(err.Error(), "policy a: limits.pool") {
		t.Fatalf("got %v", err)
	}
}

// TestBuiltinPolicySwitchWithoutPlugins: every host gets the chain, also without plugins, so a built-in hook
// switched off takes effect there too.
func TestBuiltinPolicySwitchWithoutPlugins(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		builtin  string
		wantCode int // registering a web client whose redirect URI is on another host than its client_uri
	}{
		{"{}", 400},
		{"{validate_registration: false}", 201},
		{"{consent: false}", 400},
	} {
		t.Run(tt.builtin, func(t *testing.T) {
			s := mustBuild(t, hostOf(t, fastHost+fmt.Sprintf(`registration:
  key: "an-example-registration-key-of-32b"
builtin_policy: %s
`, tt.builtin)), fast)
			if chain := s.Policies.Chain(); s.OAuth.Policy != chain || s.Registry.Policy != chain ||
				s.IDTokens.Policy != chain || s.UserInfo.Policy != chain {
				t.Fatal("a hook's caller does not run the host's chain")
			}
			_, err := s.Registry.Register(ctx, []byte(`{"client_name":"A","client_uri":"https://a.example/",
				"redirect_uris":["https://login.a-cdn.example/cb"]}`))
			if code := map[bool]int{true: 400, false: 201}[err != nil]; code != tt.wantCode {
				t.Fatalf("registration: %v, want %d", err, tt.wantCode)
			}
		})
	}
}

// TestBuildPlugins: Build loads the host's plugins on the engines given and binds them in the chain; with
// SkipPlugins (the management commands) a plugin file is not even read.
func TestBuildPlugins(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "claims.lua")
	if err := os.WriteFile(path, []byte(`return {abi = 1, claims = function() return {claims = {team = "a"}} end}`), 0o600); err != nil {
		t.Fatal(err)
	}
	h := hostOf(t, fastHost+"policies:\n  - name: claims\n    lua: "+path+"\n")
	s := mustBuild(t, h, Options{KeyAlgorithms: fast.KeyAlgorithms, Engines: map[string]policy.Engine{"lua": lua.New(lua.Options{})}})
	if got := s.Policies.Chain().Plugins(policy.HookClaims); !slices.Equal(got, []string{"claims"}) {
		t.Fatalf("claims plugins %v", got)
	}
	if _, err := Build(context.Background(), h, badgertest.New(t, nil), fast); err == nil || !strings.Contains(err.Error(), `no "lua" engine`) {
		t.Fatalf("a host with a plugin but not its engine: %v", err)
	}
	if err := os.WriteFile(path, []byte("not lua"), 0o600); err != nil {
		t.Fatal(err)
	}
	skipped := mustBuild(t, h, Options{KeyAlgorithms: fast.KeyAlgorithms, SkipPlugins: true})
	if len(skipped.Policies.Chain().Plugins(policy.HookClaims)) > 0 {
		t.Fatal("SkipPlugins loaded a plugin")
	}
}

// TestPrepare: a built host writes nothing until Prepare, which stores the configured clients and a signing key
// per algorithm.
func TestPrepare(t *testing.T) {
	ctx := context.Background()
	s := mustBuild(t, hostOf(t, fastHost+`clients:
  - client_id: web
    client_name: Web
    client_secret_sha256: "`+strings.Repeat("ab", 32)+`"
    redirect_uris: ["https://app.example.com/cb"]
`), fast)
	if cs, err := s.Clients.List(ctx); err != nil || len(cs) != 0 {
		t.Fatalf("before Prepare: %d clients, %v", len(cs), err)
	}
	if err := s.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Clients.Get(ctx, "web"); err != nil || !c.FromConfig {
		t.Fatalf("configured client: %+v, %v", c, err)
	}
	keys, err := s.Keys.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var algs []string
	for _, k := range keys {
		algs = append(algs, k.Algorithm)
	}
	slices.Sort(algs)
	if !slices.Equal(algs, []string{"ES256", "EdDSA"}) {
		t.Fatalf("keys for %v", algs)
	}
}
