package registrationallowlist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/lua"
	"github.com/assentry/assentry/policy/wasm"
	"gopkg.in/yaml.v3"
)

// The README's binding example (section "Policies") binds shipped plugins with the config they read: each file
// exists and loads with that config, and the registration allowlist decides by the domains the example lists.
func TestREADMEBindingExample(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Policies\n")
	if !ok {
		t.Fatal(`README.md has no "## Policies" section`)
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	if !ok {
		t.Fatal("the Policies section has no yaml block")
	}
	block, _, _ = strings.Cut(block, "```")
	var cfg struct {
		Policies []struct {
			Name   string         `yaml:"name"`
			Lua    string         `yaml:"lua"`
			Wasm   string         `yaml:"wasm"`
			Config map[string]any `yaml:"config"`
		} `yaml:"policies"`
	}
	if err := yaml.Unmarshal([]byte(block), &cfg); err != nil {
		t.Fatalf("the README's binding example: %v\n%s", err, block)
	}
	we, err := wasm.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = we.Close(context.Background()) })
	engines := map[string]policy.Engine{"lua": lua.New(lua.Options{}), "wasm": we}
	var allowlist policy.Plugin
	for _, b := range cfg.Policies {
		kind, file := "lua", b.Lua
		if b.Wasm != "" {
			kind, file = "wasm", b.Wasm
		}
		code, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatalf("%s: %v (the example must bind a shipped plugin)", b.Name, err)
		}
		p, err := engines[kind].Load(context.Background(), policy.Source{Name: b.Name, Path: file, Code: code,
			Config: b.Config, Host: "readme", Limits: policy.Limits{Pool: 1}})
		if err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
		t.Cleanup(func() { _ = p.Close(context.Background()) })
		if filepath.Base(file) == "registration-allowlist.lua" {
			allowlist = p
		}
	}
	if allowlist == nil {
		t.Fatal("the README's binding example does not bind plugins/registration-allowlist")
	}
	// The example allows example.com: that is read from its config, not built into the plugin.
	for uri, want := range map[string]string{"https://shop.example.com/": policy.DecisionAccept,
		"https://example.org/": policy.DecisionReject} {
		in := `{"abi":1,"hook":"validate_registration","operation":"register","metadata":{"client_uri":"` + uri + `"},
			"auth":{"kind":"anonymous"},"request":{}}`
		out, err := allowlist.Call(context.Background(), policy.HookValidateRegistration, []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		dec, _, err := policy.DecodeOutput(policy.HookValidateRegistration, out)
		if err != nil || dec.(*policy.ValidateRegistrationOutput).Decision != want {
			t.Errorf("%s: got (%s, %v), want %s", uri, out, err, want)
		}
	}
}
