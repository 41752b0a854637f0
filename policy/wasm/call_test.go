package wasm

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/policytest"
)

// TestRoundTrips calls every hook of decide.wat once.
func TestRoundTrips(t *testing.T) {
	e, logs := newEngine(t)
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 2}, map[string]any{"allowed_hosts": []any{"example.com"}})
	tests := []struct {
		hook  string
		input string
		want  string
	}{
		{policy.HookValidateRegistration, `{"hook":"validate_registration"}`, `{"decision":"accept"}`},
		{policy.HookMapRoles, `{"hook":"map_roles","roles":["user"]}`, `{"hook":"map_roles","roles":["user"]}`},
		{policy.HookScopePolicy, `{"hook":"scope_policy"}`, `{"granted_scopes":["openid"]}`},
		{policy.HookConsent, `{"hook":"consent"}`, `{"decision":"approve"}`},
		{policy.HookClaims, `{"hook":"claims"}`, `{"abi":1,"hook":"init","host":"h1","plugin":{"name":"decide.wasm"},"config":{"allowed_hosts":["example.com"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.hook, func(t *testing.T) {
			out, err := p.Call(t.Context(), tt.hook, []byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("%s answered %s, want %s", tt.hook, out, tt.want)
			}
		})
	}
	if !strings.Contains(logs.String(), `msg="consent called" plugin=decide.wasm host=h1 engine=wasm source=log`) {
		t.Errorf("assentry.log not in the log:\n%s", logs)
	}
}

// TestOutputIsCopied checks that an answer survives the guest's next call, which reuses its memory.
func TestOutputIsCopied(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 1}, nil)
	first, err := p.Call(t.Context(), policy.HookMapRoles, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Call(t.Context(), policy.HookMapRoles, []byte(`{"b":2}`)); err != nil {
		t.Fatal(err)
	}
	if string(first) != `{"a":1}` {
		t.Errorf("first answer changed to %s", first)
	}
}

// TestInputBufferReuse checks one assentry_alloc per instance while inputs fit, and a free + alloc when one
// does not.
func TestInputBufferReuse(t *testing.T) {
	e, _ := newEngine(t)
	// A generous deadline: an answer that comes as the deadline strikes stands but its instance is replaced, and
	// on a loaded machine a 100 kB echo can take the default's time; this test is about the buffer, not deadlines.
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 1, MaxInputBytes: 1 << 20, MaxOutputBytes: 1 << 20,
		Timeout: time.Minute}, nil)
	counts := func() (allocs, frees uint64) {
		in := <-p.pool
		defer p.put(in)
		return in.mod.ExportedGlobal("allocs").Get(), in.mod.ExportedGlobal("frees").Get()
	}
	// init copies its input with one alloc of its own; the input buffer is the other.
	a0, f0 := counts()
	if a0 != 2 || f0 != 0 {
		t.Fatalf("after init: %d allocs, %d frees; want 2, 0", a0, f0)
	}
	for range 100 {
		if _, err := p.Call(t.Context(), policy.HookMapRoles, []byte(`{"roles":["user"]}`)); err != nil {
			t.Fatal(err)
		}
	}
	if a, f := counts(); a != a0 || f != f0 {
		t.Errorf("after 100 small calls: %d allocs, %d frees; want %d, %d", a, f, a0, f0)
	}
	big := `{"pad":"` + strings.Repeat("x", 100_000) + `"}`
	out, err := p.Call(t.Context(), policy.HookMapRoles, []byte(big))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != big {
		t.Errorf("echo of a 100 kB input came back as %d bytes", len(out))
	}
	if a, f := counts(); a != a0+1 || f != f0+1 {
		t.Errorf("after a large call: %d allocs, %d frees; want %d, %d", a, f, a0+1, f0+1)
	}
	for range 10 {
		if _, err := p.Call(t.Context(), policy.HookMapRoles, []byte(big)); err != nil {
			t.Fatal(err)
		}
	}
	if a, f := counts(); a != a0+1 || f != f0+1 {
		t.Errorf("the grown buffer was not reused: %d allocs, %d frees", a, f)
	}
}

// TestInputTooLarge refuses an input over the limit without calling the guest.
func TestInputTooLarge(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 1, MaxInputBytes: 100}, nil)
	_, err := p.Call(t.Context(), policy.HookMapRoles, []byte(`{"pad":"`+strings.Repeat("x", 100)+`"}`))
	if !policy.IsFailure(err, policy.FailInput) {
		t.Fatalf("got %v, want a %s failure", err, policy.FailInput)
	}
	if _, err := p.Call(t.Context(), policy.HookMapRoles, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
}

// TestUnknownHook is an error, not a failure of the plugin.
func TestUnknownHook(t *testing.T) {
	e, _ := newEngine(t)
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 1}, nil)
	_, err := p.Call(t.Context(), "login", []byte(`{}`))
	if err == nil || policy.IsFailure(err, "") {
		t.Fatalf("got %v, want a plain error", err)
	}
}

// TestConfigReachesInit: each host's plugin gets its own config.
func TestConfigPerHost(t *testing.T) {
	e, _ := newEngine(t)
	for _, host := range []string{"a", "b"} {
		p, err := e.Load(t.Context(), policy.Source{Name: "decide", Code: fixture(t, "decide.wasm"), Host: host,
			Config: map[string]any{"host_says": host}, Limits: policy.Limits{Pool: 1}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.Call(t.Context(), policy.HookClaims, []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Host   string `json:"host"`
			Config struct {
				HostSays string `json:"host_says"`
			} `json:"config"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if got.Host != host || got.Config.HostSays != host {
			t.Errorf("host %s: init saw %s", host, out)
		}
		_ = p.Close(t.Context())
	}
}

// TestGuestLogShape: a guest's assentry.log line is a JSON object without a key twice, with the keys of a Lua
// plugin's line (policy/lua TestLog): the guest's text as msg, then plugin, host, engine, source, hook and the
// request_id of the call's input.
func TestGuestLogShape(t *testing.T) {
	logs := &logBuffer{}
	e, _ := newEngine(t, WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	p := mustLoad(t, e, "decide.wasm", policy.Limits{Pool: 1}, map[string]any{"allowed_hosts": []any{"example.com"}})
	if _, err := p.Call(t.Context(), policy.HookConsent, []byte(`{"hook":"consent","request_id":"r-7"}`)); err != nil {
		t.Fatal(err)
	}
	var consent []string
	for _, keys := range policytest.LogLines(t, logs.String()) {
		if slices.Contains(keys, "source") {
			consent = keys
		}
	}
	if !slices.Equal(consent, policytest.PluginLogKeys) {
		t.Errorf("guest log line keys %v, want %v\n%s", consent, policytest.PluginLogKeys, logs)
	}
	for _, want := range []string{`"msg":"consent called"`, `"hook":"consent"`, `"request_id":"r-7"`, `"engine":"wasm"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %s in\n%s", want, logs)
		}
	}
}
